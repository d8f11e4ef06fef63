package org.spgateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;

class ResourceAccessTest {

	private static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	private static final String GP = ODS + "|A99901";
	private static final String PROVIDER = ODS + "|X99901";
	private static final String COMMUNITY = "https://spgateway.org/fhir/Id/directory-organization|VCS-0002";
	/** The directory as the lookups see it: a practice, a provider's service, a community group's service. */
	private static final Map<String, Set<String>> DIRECTORY = Map.of(
			"Organization/ods-A99901", Set.of(GP),
			"HealthcareService/svc", Set.of(PROVIDER),
			"HealthcareService/onward", Set.of(COMMUNITY),
			"Organization/vcs-0002", Set.of(COMMUNITY));

	private final ResourceAccess access = new ResourceAccess(FhirContext.forR4Cached(),
			r -> r.hasReference() ? DIRECTORY.getOrDefault(r.getReference(), Set.of())
					: r.hasIdentifier() ? Set.of(r.getIdentifier().getSystem() + "|" + r.getIdentifier().getValue()) : Set.of());

	@Test
	void aReferralIsItsRequestersAndTheProvidersOfItsServiceAndSharedWithWhatItReferences() {
		ServiceRequest referral = new ServiceRequest();
		referral.setId("sr1");
		referral.setRequester(new Reference("Organization/ods-A99901"));
		referral.addPerformer(new Reference("HealthcareService/svc"));
		referral.setSubject(new Reference("Patient/p1"));
		referral.addReasonReference(new Reference("Condition/c1"));
		referral.addSupportingInfo(new Reference("Organization/ods-A99901"));
		ResourceAccess.Grants grants = access.derive(referral, Set.of());
		assertThat(grants.organisations()).containsExactlyInAnyOrder(GP, PROVIDER);
		assertThat(grants.shareWith()).containsExactlyInAnyOrder("Patient/p1", "Condition/c1");
		assertThat(grants.inheritFrom()).isEmpty();
	}

	@Test
	void anOnwardReferralIsTheReferringProvidersAndTheCommunityGroups() {
		ServiceRequest onward = new ServiceRequest();
		onward.setRequester(new Reference().setIdentifier(new Identifier().setSystem(ODS).setValue("X99901")));
		onward.addPerformer(new Reference("HealthcareService/onward"));
		onward.addBasedOn(new Reference("ServiceRequest/sr1"));
		ResourceAccess.Grants grants = access.derive(onward, Set.of());
		assertThat(grants.organisations()).containsExactlyInAnyOrder(PROVIDER, COMMUNITY);
		// The original referrer does not see the provider's onward referrals.
		assertThat(grants.inheritFrom()).isEmpty();
	}

	@Test
	void aTaskHasItsReferralsOrganisationsPlusItsOwnerAndSharesThemWithItsOutputs() {
		Task task = new Task();
		task.setFocus(new Reference("ServiceRequest/sr1"));
		task.setFor(new Reference("Patient/p1"));
		task.setOwner(new Reference("Organization/vcs-0002"));
		task.setRequester(new Reference("Organization/ods-A99901"));
		task.addOutput().setValue(new Reference("QuestionnaireResponse/q1"));
		ResourceAccess.Grants grants = access.derive(task, Set.of());
		assertThat(grants.organisations()).containsExactlyInAnyOrder(COMMUNITY, GP);
		assertThat(grants.inheritFrom()).containsExactly("ServiceRequest/sr1");
		assertThat(grants.shareWith()).containsExactlyInAnyOrder("Patient/p1", "QuestionnaireResponse/q1");
	}

	@Test
	void outcomesFeedbackAndProvenanceFollowTheReferralsAndTasksTheyReferenceRatherThanThePerson() {
		Observation score = new Observation();
		score.addBasedOn(new Reference("ServiceRequest/sr1"));
		score.setSubject(new Reference("Patient/p1"));
		score.addDerivedFrom(new Reference("QuestionnaireResponse/q1"));
		assertThat(access.derive(score, Set.of()).inheritFrom()).containsExactly("ServiceRequest/sr1");
		Communication feedback = new Communication();
		feedback.addBasedOn(new Reference("ServiceRequest/sr1"));
		feedback.addAbout(new Reference("Task/t1"));
		feedback.addRecipient(new Reference("Organization/ods-A99901"));
		assertThat(access.derive(feedback, Set.of()).inheritFrom()).containsExactlyInAnyOrder("ServiceRequest/sr1", "Task/t1");
		Provenance provenance = new Provenance();
		provenance.addTarget(new Reference("Task/t1/_history/3"));
		assertThat(access.derive(provenance, Set.of()).inheritFrom()).containsExactly("Task/t1");
	}

	@Test
	void aResourceAboutThePersonOnlyFollowsThePersonAndAlwaysItsWriter() {
		Observation note = new Observation();
		note.setSubject(new Reference("Patient/p1"));
		note.addPerformer(new Reference("Organization/ods-A99901"));
		ResourceAccess.Grants grants = access.derive(note, Set.of(GP));
		assertThat(grants.inheritFrom()).containsExactly("Patient/p1");
		assertThat(grants.organisations()).containsExactly(GP);
		Patient person = new Patient();
		person.addGeneralPractitioner(new Reference("Organization/ods-A99901"));
		assertThat(access.derive(person, Set.of(GP)).organisations()).containsExactly(GP);
		assertThat(access.derive(new Patient(), Set.of()).isEmpty()).isTrue();
	}

	@Test
	void aSubscriptionIsItsOwnersOnlyAndAnEndpointItsManagingOrganisations() {
		Subscription subscription = new Subscription();
		subscription.setCriteria("Task?focus=ServiceRequest/sr1");
		ResourceAccess.Grants grants = access.derive(subscription, Set.of(PROVIDER));
		assertThat(grants.organisations()).containsExactly(PROVIDER);
		assertThat(grants.inheritFrom()).isEmpty();
		Endpoint endpoint = new Endpoint();
		endpoint.setManagingOrganization(new Reference("Organization/ods-A99901"));
		assertThat(access.derive(endpoint, Set.of()).organisations()).containsExactly(GP);
	}

	@Test
	void theDirectoryAndConformanceResourcesNeedNoRows() {
		assertThat(access.derive(new Organization(), Set.of(GP)).isEmpty()).isTrue();
		assertThat(ResourceAccess.isPublic("HealthcareService")).isTrue();
		assertThat(ResourceAccess.isPublic("StructureDefinition")).isTrue();
		assertThat(ResourceAccess.isPublic("Endpoint")).isFalse();
		assertThat(ResourceAccess.isPublic("Patient")).isFalse();
	}
}
