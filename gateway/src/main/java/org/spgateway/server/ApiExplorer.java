package org.spgateway.server;

import ca.uhn.fhir.rest.openapi.OpenApiInterceptor;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * HAPI's API explorer (Swagger UI at {@code /fhir/swagger-ui/}). HAPI answers a file its bundle does not hold with
 * an internal error (500); a browser or a scanner asking for one gets 404 with an OperationOutcome instead.
 */
final class ApiExplorer extends OpenApiInterceptor {

	@Override
	protected boolean handleResourceRequest(HttpServletResponse response, ServletRequestDetails request, String path) throws IOException {
		try {
			return super.handleResourceRequest(response, request, path);
		} catch (InternalErrorException missing) {
			// ClasspathUtil's "Unable to find classpath resource": thrown before anything is written.
			throw new ResourceNotFoundException("The API explorer has no such file");
		}
	}
}
