package org.spgateway.server;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus-style timings of FHIR interactions ({@code fhir_requests_seconds}), tagged by interaction
 * (create, read, search-type, transaction, operation ...), resource type and HTTP status. Spring's own
 * HTTP metrics do not see the FHIR servlet.
 */
@Interceptor
public class FhirRequestMetrics {

	private static final String STARTED = FhirRequestMetrics.class.getName() + ".started";

	private final MeterRegistry registry;

	public FhirRequestMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void started(RequestDetails request) {
		request.getUserData().put(STARTED, System.nanoTime());
	}

	/**
	 * HAPI offers this hook no HttpServletResponse (a parameter of that type is always null, which once made
	 * every create count as 200); the servlet response is reached through the request, and has its status by now.
	 */
	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED_NORMALLY)
	public void completed(RequestDetails request) {
		HttpServletResponse response = request instanceof ServletRequestDetails servlet ? servlet.getServletResponse() : null;
		record(request, response == null ? 200 : response.getStatus());
	}

	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public boolean failed(RequestDetails request, BaseServerResponseException exception) {
		record(request, exception.getStatusCode());
		return true;
	}

	private void record(RequestDetails request, int status) {
		Object started = request.getUserData().remove(STARTED);
		if (!(started instanceof Long start)) {
			return;
		}
		Timer.builder("fhir.requests")
				.description("FHIR interactions handled by the gateway")
				.tag("interaction", request.getRestOperationType() == null ? "unknown" : request.getRestOperationType().getCode())
				.tag("type", request.getResourceName() == null ? "-" : request.getResourceName())
				.tag("status", Integer.toString(status))
				.publishPercentileHistogram()
				.register(registry)
				.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
	}
}
