package org.spgateway.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.mapping.ConceptMapTranslator;
import org.spgateway.mapping.MapEngine;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.validation.GatewayValidator;

/**
 * The BaRS feedback map (mappings/bars-feedback) makes byte for byte the message the Java builder made before it
 * ({@link JavaBarsResponse}), for the same feedback: both are given the same two random ids and time, so nothing is left out of
 * the comparison. The carried resources are those of the sandbox run in docs/examples/feedback, varied per case.
 */
class BarsFeedbackMapGoldenTest {

	static final String MAP = "https://spgateway.org/fhir/StructureMap/bars-servicerequest-response";
	private static final IParser PARSER = GatewayServer.fhirContext().newJsonParser();
	private static final Instant NOW = Instant.parse("2026-12-02T09:30:00.123Z");
	private static final String BUNDLE_ID = "5f1c2d3e-0a1b-4c2d-8e3f-112233445566";
	private static final String HEADER_ID = "9a8b7c6d-5e4f-4a3b-9c2d-665544332211";
	private static final String BASE = "https://gateway.example.nhs.uk/fhir";

	private static Function<Parameters, Resource> map;
	private static MapEngine engine;
	private static GatewayValidator.Conformance loaded;

	@BeforeAll
	static void loadTheShippedMap() {
		loaded = GatewayValidator.conformance(GatewayServer.fhirContext(), List.of());
		engine = new MapEngine(GatewayServer.fhirContext(), loaded.support(), loaded.resources(),
				new ConceptMapTranslator(loaded.resources().ofType(ConceptMap.class)));
		StructureMap barsMap = FeedbackConfig.barsMap(new FeedbackProperties(), engine, loaded.resources());
		assertThat(barsMap.getUrl()).isEqualTo(MAP);
		map = input -> engine.transform(barsMap, input);
	}

	@Test
	void aBarsMapSettingNamingNoLoadedMapStopsStartUp() {
		FeedbackProperties properties = new FeedbackProperties();
		properties.setBarsMap("https://example.org/StructureMap/nothing");
		assertThatThrownBy(() -> FeedbackConfig.barsMap(properties, engine, loaded.resources())).isInstanceOf(ConformanceException.class)
				.hasMessageContaining("gateway.feedback.bars-map").hasMessageContaining("https://example.org/StructureMap/nothing, which is not loaded");
	}

	@Test
	void aBarsMapThatDoesNotReadTheGatewaysParametersStopsStartUp() {
		FeedbackProperties properties = new FeedbackProperties();
		properties.setBarsMap("https://spgateway.org/fhir/StructureMap/eastfield-gp-feedback-document");
		assertThatThrownBy(() -> FeedbackConfig.barsMap(properties, engine, loaded.resources())).isInstanceOf(ConformanceException.class)
				.hasMessageContaining("feedback-document.map").hasMessageContaining("turns a Bundle into a Bundle");
	}

	@Test
	void anAcceptedReferralThatCameByRestIsAnsweredWithTheReferralsOwnId() {
		Example accepted = Example.read("accepted-message.json");
		assertSameMessage(accepted.route(), accepted.sender(), accepted.resources, null, BASE);
	}

	@Test
	void anAcceptedReferralThatCameByBarsAnswersTheReferrersMessageAndATrailingSlashOnTheBaseIsDropped() {
		Example accepted = Example.read("accepted-message.json");
		assertSameMessage(accepted.route(), accepted.sender(), accepted.resources, "3b1f0c4e-7d2a-4f5b-9e8c-0a1b2c3d4e5f", BASE + "/");
	}

	@Test
	void aRejectedReferralCarriesTheBarsRejectionCodeAndNoProcedure() {
		Example rejected = Example.read("accepted-message.json");
		rejected.resources.removeIf(r -> r instanceof Procedure);
		Task task = rejected.first(Task.class);
		task.setStatus(Task.TaskStatus.REJECTED).setStatusReason(new CodeableConcept().setText("Outside the service's area"));
		Communication communication = rejected.first(Communication.class);
		communication.setReasonCode(List.of(new CodeableConcept(new Coding("https://fhir.nhs.uk/CodeSystem/message-reason-bars", "RRNA",
				"Referral rejected, not appropriate"))));
		communication.getPayload().removeIf(p -> p.hasContentReference());
		assertSameMessage(rejected.route(), rejected.sender(), rejected.resources, "3b1f0c4e-7d2a-4f5b-9e8c-0a1b2c3d4e5f", BASE);
	}

	@Test
	void aCompletedReferralCarriesItsOutcomeObservationsAfterTheCommunication() {
		Example discharged = Example.read("discharged-message.json");
		Communication communication = discharged.first(Communication.class);
		List<Resource> observations = List.of(score("obs-first", 14), score("obs-latest", 21));
		observations.forEach(o -> communication.addPayload().setContent(new Reference("Observation/" + o.getIdElement().getIdPart())));
		discharged.resources.addAll(discharged.resources.indexOf(communication) + 1, observations);
		assertSameMessage(discharged.route(), discharged.sender(), discharged.resources, null, BASE);
	}

	@Test
	void aCancelledReferralIsAnsweredLikeAnyOther() {
		Example cancelled = Example.read("discharged-message.json");
		cancelled.first(Task.class).setStatus(Task.TaskStatus.CANCELLED).setStatusReason(new CodeableConcept().setText("The person moved away"));
		assertSameMessage(cancelled.route(), cancelled.sender(), cancelled.resources, null, BASE);
	}

	@Test
	void aFailedReferralForASelfReferrerWithNoKnownPracticeHasADestinationWithoutAReceiver() {
		Example ended = Example.read("discharged-message.json");
		ended.first(Task.class).setStatus(Task.TaskStatus.FAILED);
		ended.resources.removeIf(r -> r.getIdElement().getIdPart().equals("ods-A99902"));
		FeedbackRoute route = new FeedbackRoute(ended.route().recipient(), null, "ep-1", FeedbackRoute.MESSAGING, ended.route().address(),
				List.of());
		assertSameMessage(route, ended.sender(), ended.resources, null, BASE);
	}

	@Test
	void storedResourcesLoseTheirVersionAndLastUpdatedButKeepTheirProfiles() {
		Example accepted = Example.read("accepted-message.json");
		for (Resource r : accepted.resources) {
			r.setIdElement(r.getIdElement().withVersion("3"));
			r.getMeta().setVersionId("3").setLastUpdated(Date.from(NOW)).addProfile("https://example.org/StructureDefinition/p");
		}
		String made = assertSameMessage(accepted.route(), accepted.sender(), accepted.resources, null, BASE);
		assertThat(made).doesNotContain("\"versionId\"").doesNotContain("lastUpdated").contains("https://example.org/StructureDefinition/p");
	}

	/** Runs both, compares the JSON strings exactly, and returns the map's. */
	private static String assertSameMessage(FeedbackRoute route, Reference sender, List<Resource> resources, String answering, String base) {
		String java = new JavaBarsResponse(GatewayServer.fhirContext(), base, "0.1.0-SNAPSHOT")
				.barsResponse(route, sender, resources, answering, NOW, BUNDLE_ID, HEADER_ID);
		String mapped = new FeedbackMessages(GatewayServer.fhirContext(), base, "0.1.0-SNAPSHOT", map)
				.barsResponse(route, sender, resources, answering, NOW, BUNDLE_ID, HEADER_ID);
		assertThat(mapped).isEqualTo(java);
		Bundle message = (Bundle) PARSER.parseResource(mapped);
		assertThat(message.getEntry()).hasSize(resources.size() + 1);
		return mapped;
	}

	private static Observation score(String id, int total) {
		Observation o = new Observation().setStatus(Observation.ObservationStatus.FINAL)
				.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", "1091881000000101", "ONS4 total score")));
		o.setValue(new Quantity().setValue(BigDecimal.valueOf(total)).setUnit("score"));
		o.setId("Observation/" + id);
		return o;
	}

	/** A message from docs/examples/feedback taken apart into what the gateway had before building it. */
	private record Example(MessageHeader header, List<Resource> resources) {

		static Example read(String name) {
			try {
				Bundle bundle = (Bundle) PARSER.parseResource(Files.readString(Path.of("../docs/examples/feedback/" + name)));
				List<Resource> carried = new ArrayList<>();
				for (Bundle.BundleEntryComponent e : bundle.getEntry().subList(1, bundle.getEntry().size())) {
					Resource r = e.getResource();
					r.setId(r.fhirType() + "/" + r.getIdElement().getIdPart());
					carried.add(r);
				}
				return new Example((MessageHeader) bundle.getEntryFirstRep().getResource(), carried);
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}

		FeedbackRoute route() {
			MessageHeader.MessageDestinationComponent destination = header.getDestinationFirstRep();
			return new FeedbackRoute(destination.getReceiver(), destination.getReceiver(), "ep-1", FeedbackRoute.MESSAGING,
					destination.getEndpoint(), List.of());
		}

		Reference sender() {
			return header.getSender();
		}

		<T extends Resource> T first(Class<T> type) {
			return resources.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
		}
	}
}
