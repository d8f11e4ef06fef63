package org.spgateway.bulkimport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.UriType;
import org.junit.jupiter.api.Test;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.validation.ValidationIssue;

class ImportInputsTest {

	/** Every name resolves: example.org to a public address, files.internal to a private one, localhost to loopback. */
	private static OutboundAddressRules rules(boolean sandbox) {
		return new OutboundAddressRules(host -> switch (host) {
			case "files.internal" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3})};
			case "localhost" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
			default -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 215, 14})};
		}, List.of(), List.of(), sandbox, null, Set::of);
	}

	private static Parameters request(String... typeAndUrl) {
		Parameters p = new Parameters();
		p.addParameter().setName("inputFormat").setValue(new CodeType(ImportInputs.NDJSON));
		for (int i = 0; i < typeAndUrl.length; i += 2) {
			Parameters.ParametersParameterComponent input = p.addParameter().setName("input");
			input.addPart().setName("type").setValue(new CodeType(typeAndUrl[i]));
			input.addPart().setName("url").setValue(new UriType(typeAndUrl[i + 1]));
		}
		return p;
	}

	@Test
	void inputsAreStoredInDependencyOrderWhateverTheOrderGiven() {
		ImportInputs.Parsed parsed = ImportInputs.parse(request("Observation", "https://example.org/o.ndjson", "Task", "https://example.org/t.ndjson",
				"Patient", "https://example.org/p.ndjson", "ServiceRequest", "https://example.org/s.ndjson"), rules(false), 50);

		assertThat(parsed.problems()).isEmpty();
		assertThat(parsed.inputs()).extracting(ImportInputs.Input::type).containsExactly("Patient", "ServiceRequest", "Task", "Observation");
	}

	@Test
	void anInputAtAnInternalAddressIsRefusedWithItsPathAndLoopbackOnlyInSandboxMode() {
		ImportInputs.Parsed internal = ImportInputs.parse(request("Patient", "https://files.internal/p.ndjson"), rules(true), 50);
		assertThat(internal.problems()).singleElement().satisfies(p -> {
			assertThat(p.expression()).isEqualTo("Parameters.parameter[1].part[1].value");
			assertThat(p.diagnostics()).contains("files.internal").contains("refused by the outbound rule");
		});

		assertThat(ImportInputs.parse(request("Patient", "http://localhost:8000/p.ndjson"), rules(false), 50).problems()).hasSize(1);
		assertThat(ImportInputs.parse(request("Patient", "http://localhost:8000/p.ndjson"), rules(true), 50).problems()).isEmpty();
	}

	@Test
	void theDirectoryAndSubscriptionsAreNotImported() {
		ImportInputs.Parsed parsed = ImportInputs.parse(request("Organization", "https://example.org/o.ndjson", "Subscription",
				"https://example.org/s.ndjson"), rules(false), 50);

		assertThat(parsed.problems()).extracting(ValidationIssue::expression).containsExactly("Parameters.parameter[1].part[0].value",
				"Parameters.parameter[2].part[0].value");
		assertThat(parsed.problems().get(0).diagnostics()).contains("does not import Organization");
	}

	@Test
	void aRequestWithoutFormatOrInputsOrWithTooManyIsRefused() {
		assertThat(ImportInputs.parse(new Parameters(), rules(false), 50).problems()).extracting(ValidationIssue::diagnostics)
				.anySatisfy(d -> assertThat(d).contains("inputFormat is required"));
		assertThat(ImportInputs.parse(request(), rules(false), 50).problems()).extracting(ValidationIssue::diagnostics)
				.anySatisfy(d -> assertThat(d).contains("at least one input"));
		assertThat(ImportInputs.parse(request("Patient", "https://example.org/1", "Patient", "https://example.org/2"), rules(false), 1).problems())
				.extracting(ValidationIssue::diagnostics).anySatisfy(d -> assertThat(d).contains("At most 1 inputs"));
	}

	@Test
	void aUrlThatIsNotHttpIsRefused() {
		assertThat(ImportInputs.parse(request("Patient", "file:///etc/passwd"), rules(true), 50).problems()).singleElement()
				.satisfies(p -> assertThat(p.diagnostics()).contains("http or https URL"));
	}
}
