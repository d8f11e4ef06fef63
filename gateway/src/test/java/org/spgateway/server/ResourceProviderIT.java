package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.Fixtures;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

class ResourceProviderIT {

	static GatewayServer gateway;
	static IGenericClient client;

	@BeforeAll
	static void start() {
		gateway = SharedGateway.get();
		client = gateway.client();
	}

	private static Patient newPatient() {
		Patient patient = Fixtures.resource(ResourceProviderIT.class, "patient-uk-core.json", Patient.class);
		patient.getIdentifierFirstRep().setValue(null);
		patient.getIdentifier().clear();
		patient.addIdentifier().setSystem("https://example.org/test-patient").setValue(UUID.randomUUID().toString());
		return patient;
	}

	@Test
	void createReadVreadUpdate() {
		MethodOutcome created = client.create().resource(newPatient()).execute();
		assertThat(created.getCreated()).isTrue();
		String id = created.getId().getIdPart();
		assertThat(created.getId().getVersionIdPart()).isEqualTo("1");

		Patient read = client.read().resource(Patient.class).withId(id).execute();
		assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Carter");
		assertThat(read.getMeta().getVersionId()).isEqualTo("1");

		read.getNameFirstRep().setFamily("Carter-Jones");
		MethodOutcome updated = client.update().resource(read).execute();
		assertThat(updated.getId().getVersionIdPart()).isEqualTo("2");

		Patient v1 = client.read().resource(Patient.class).withIdAndVersion(id, "1").execute();
		assertThat(v1.getNameFirstRep().getFamily()).isEqualTo("Carter");
		Patient current = client.read().resource(Patient.class).withId(id).execute();
		assertThat(current.getNameFirstRep().getFamily()).isEqualTo("Carter-Jones");
	}

	@Test
	void staleIfMatchIsRefusedAndChangesNothing() {
		String id = client.create().resource(newPatient()).execute().getId().getIdPart();
		Patient current = client.read().resource(Patient.class).withId(id).execute();
		current.getNameFirstRep().setFamily("First");
		client.update().resource(current).withId(id).execute();

		Patient stale = current.copy();
		stale.setId(id);
		stale.getNameFirstRep().setFamily("Second");
		String body = GatewayServer.fhirContext().newJsonParser().encodeResourceToString(stale);
		HttpResponse<String> response = Http.put(gateway.baseUrl() + "/Patient/" + id, body, "If-Match", "W/\"1\"");

		assertThat(response.statusCode()).isEqualTo(412);
		assertThat(response.body()).contains("OperationOutcome").contains("current version is 2");
		Patient after = client.read().resource(Patient.class).withId(id).execute();
		assertThat(after.getMeta().getVersionId()).isEqualTo("2");
		assertThat(after.getNameFirstRep().getFamily()).isEqualTo("First");
	}
}
