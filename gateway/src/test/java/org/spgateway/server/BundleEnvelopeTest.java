package org.spgateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.function.Function;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Signature;
import org.junit.jupiter.api.Test;
import org.spgateway.store.StoredResource;

/**
 * The Bundle envelope written without HAPI's encoder is HAPI's, byte for byte, for every element HAPI's paging sets; a Bundle
 * with anything more is left to HAPI. (StoredJsonIT compares whole answers over HTTP.)
 */
class BundleEnvelopeTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final Function<IBaseResource, String> ENCODER = resource -> FHIR.newJsonParser().encodeResourceToString(resource);

	@Test
	void aSearchPageIsWrittenAsHapiEncodesIt() {
		Bundle page = page();
		page.getEntryFirstRep().getSearch().setScore(new BigDecimal("0.50"));
		OperationOutcome warning = new OperationOutcome();
		warning.addIssue().setSeverity(OperationOutcome.IssueSeverity.WARNING).setCode(OperationOutcome.IssueType.INFORMATIONAL)
				.setDiagnostics("Only the first 1,000 included resources are returned \u2713");
		page.addEntry().setResource(warning).getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);

		assertThat(written(page)).isEqualTo(hapi(page));
	}

	@Test
	void aHistoryPageIsWrittenAsHapiEncodesIt() {
		Bundle history = page().setType(Bundle.BundleType.HISTORY);
		history.setTotalElement(null);
		for (Bundle.BundleEntryComponent entry : history.getEntry()) {
			entry.setSearch(null);
			entry.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/p1");
			entry.getResponse().setStatus("200 OK").setEtag("W/\"2\"").setLastModifiedElement(new org.hl7.fhir.r4.model.InstantType("2026-12-05T14:13:13.200+00:00"));
		}
		assertThat(written(history)).isEqualTo(hapi(history));
	}

	@Test
	void aBundleWithMoreThanPagingSetsIsLeftToHapi() {
		Bundle signed = page();
		signed.setSignature(new Signature().setWho(new org.hl7.fhir.r4.model.Reference("Device/signer")));
		assertThat(BundleEnvelope.write(signed, ENCODER)).isNull();

		Bundle tagged = page();
		tagged.getMeta().addTag("http://example.org/tags", "x", null);
		assertThat(BundleEnvelope.write(tagged, ENCODER)).isNull();

		Bundle conditional = page();
		conditional.getEntryFirstRep().getRequest().setMethod(Bundle.HTTPVerb.POST).setIfNoneExist("identifier=x");
		assertThat(BundleEnvelope.write(conditional, ENCODER)).isNull();
	}

	/** A page of two stored Patients as HAPI's paging builds it, each entry a view of its stored JSON. */
	private static Bundle page() {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET).setTotal(7);
		bundle.setId("b6f3c0de-1");
		bundle.getMeta().setLastUpdatedElement(new org.hl7.fhir.r4.model.InstantType("2026-12-05T14:13:13.200+00:00"));
		bundle.addLink().setRelation("self").setUrl("http://localhost/fhir/Patient?name=%C3%A9&_count=2");
		bundle.addLink().setRelation("next").setUrl("http://localhost/fhir/Patient?name=%C3%A9&_count=2&_offset=2");
		for (int i = 1; i <= 2; i++) {
			Patient patient = new Patient();
			patient.setId("p" + i);
			patient.getMeta().setVersionId("2").setLastUpdated(Date.from(Instant.parse("2026-12-05T14:00:00Z")));
			patient.addName().setFamily("Zo\u00eb \"" + i + "\"").addGiven("\u2713");
			String json = FHIR.newJsonParser().encodeResourceToString(patient);
			Resource view = StoredJson.entryView(FHIR, new StoredResource(i, "Patient", "p" + i, 2, Instant.parse("2026-12-05T14:00:00Z"), "api", json));
			bundle.addEntry().setFullUrl("http://localhost/fhir/Patient/p" + i).setResource(view).getSearch()
					.setMode(i == 1 ? Bundle.SearchEntryMode.MATCH : Bundle.SearchEntryMode.INCLUDE);
		}
		return bundle;
	}

	private static String written(Bundle bundle) {
		return new String(BundleEnvelope.write(bundle, ENCODER), StandardCharsets.UTF_8);
	}

	/** HAPI's own encoding of the same Bundle, each view replaced by the resource its stored JSON is. */
	private static String hapi(Bundle bundle) {
		IParser parser = FHIR.newJsonParser();
		Bundle parsed = bundle.copy();
		for (int i = 0; i < bundle.getEntry().size(); i++) {
			String json = StoredJson.jsonOf(bundle.getEntry().get(i).getResource());
			if (json != null) {
				parsed.getEntry().get(i).setResource((Resource) parser.parseResource(json));
			}
		}
		return parser.encodeResourceToString(parsed);
	}
}
