package org.spgateway.benchmark;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * The read baseline (scenario {@code read-baseline}): HAPI's plain RestfulServer on embedded Tomcat with one provider
 * whose read returns a fixed resource, parsed once at start-up, whatever id is asked for. No store, no security, no
 * interceptors: what reading one resource of that size costs on this machine with nothing but HAPI in the way. Started
 * by the benchmark as its own JVM, as the gateway is.
 *
 * <pre>java -cp ... org.spgateway.benchmark.BareRestfulServer PORT RESOURCE.json</pre>
 */
public final class BareRestfulServer {

	private BareRestfulServer() {}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		FhirContext fhirContext = FhirContext.forR4();
		Resource fixed = (Resource) fhirContext.newJsonParser().parseResource(Files.readString(Path.of(args[1])));
		RestfulServer server = new RestfulServer(fhirContext);
		server.setResourceProviders(new FixedProvider(fixed));
		Tomcat tomcat = new Tomcat();
		tomcat.setBaseDir(Files.createTempDirectory("bare-restful-server").toString());
		tomcat.setPort(port);
		tomcat.getConnector();
		Context context = tomcat.addContext("", null);
		Tomcat.addServlet(context, "fhir", server).setLoadOnStartup(1);
		context.addServletMappingDecoded("/fhir/*", "fhir");
		tomcat.start();
		System.out.println("Bare RestfulServer ready on port " + port);
		tomcat.getServer().await();
	}

	/** Read of one type, always answered with the same resource. */
	public static final class FixedProvider implements IResourceProvider {

		private final Resource fixed;

		FixedProvider(Resource fixed) {
			this.fixed = fixed;
		}

		@Override
		public Class<? extends IBaseResource> getResourceType() {
			return fixed.getClass();
		}

		@Read
		public IBaseResource read(@IdParam IdType id) {
			return fixed;
		}
	}
}
