package org.spgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spgateway.intake.Referrals.location;
import static org.spgateway.intake.Referrals.post;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * The provider's work queue by plain FHIR search, exactly as a provider system polls it, on a gateway
 * of its own so that the queue holds only this class's referrals.
 */
class ProviderWorkQueueIT {

	static final String QUEUE = "Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|X99901&status=requested"
			+ "&_include=Task:focus&_include=Task:patient";
	static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.start("gateway.sandbox=true");
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	static Bundle get(String query) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/" + query.replace("|", "%7C").replace("+", "%2B"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Http.parse(response, Bundle.class);
	}

	static String refer() {
		HttpResponse<String> response = post(gateway, new Referrals.Values().transaction());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return location(response, 2);
	}

	static List<String> matches(Bundle page) {
		return page.getEntry().stream().filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
				.map(e -> e.getResource().getIdElement().toUnqualifiedVersionless().getValue()).toList();
	}

	static List<String> included(Bundle page) {
		return page.getEntry().stream().filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.INCLUDE)
				.map(e -> e.getResource().getIdElement().toUnqualifiedVersionless().getValue()).toList();
	}

	static String taskOf(String referral) {
		return "Task/" + Referrals.taskFor(gateway, referral).getIdElement().getIdPart();
	}

	@Test
	void theWorkQueueListsRequestedTasksWithTheirReferralsAndPeople() {
		String first = refer();
		String second = refer();
		String cancelled = refer();
		ServiceRequest revoked = Referrals.read(gateway, cancelled, ServiceRequest.class);
		revoked.setStatus(ServiceRequest.ServiceRequestStatus.REVOKED);
		revoked.addExtension("http://hl7.org/fhir/StructureDefinition/request-statusReason", new CodeableConcept().setText("Sent to the wrong service"));
		assertThat(Http.put(gateway.baseUrl() + "/" + cancelled, Referrals.json(revoked)).statusCode()).isEqualTo(200);

		Bundle queue = get(QUEUE);

		// Other tests in this class leave requested Tasks of their own in the queue.
		assertThat(matches(queue)).contains(taskOf(first), taskOf(second)).doesNotContain(taskOf(cancelled));
		String firstPatient = Referrals.read(gateway, first, ServiceRequest.class).getSubject().getReference();
		String secondPatient = Referrals.read(gateway, second, ServiceRequest.class).getSubject().getReference();
		assertThat(included(queue)).contains(first, second, firstPatient, secondPatient).doesNotContain(cancelled);
		for (Bundle.BundleEntryComponent e : queue.getEntry()) {
			if (e.getResource() instanceof Task task) {
				assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
				assertThat(task.getOwner().getIdentifier().getValue()).isEqualTo("X99901");
				assertThat(included(queue)).contains(task.getFocus().getReference(), task.getFor().getReference());
			}
		}
		assertThat(get(QUEUE.replace("X99901", "A99901")).getEntry()).isEmpty();
	}

	@Test
	void incrementalPollingOnLastUpdatedSeesEachNewTaskAndEachChangeOnce() {
		String poll = "Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|X99901&_sort=_lastUpdated&_include=Task:focus&_lastUpdated=gt";
		Instant since = Instant.now();
		String a = refer();
		String b = refer();

		Bundle page = get(poll + since);
		assertThat(matches(page)).containsExactly(taskOf(a), taskOf(b));
		assertThat(included(page)).containsExactlyInAnyOrder(a, b);
		Instant seen = lastUpdated(page);

		assertThat(get(poll + seen).getEntry()).isEmpty();

		// The provider accepts A; then the referrer changes B: both show up in the next poll, in the order they happened.
		Task taskA = Referrals.taskFor(gateway, a);
		taskA.setStatus(Task.TaskStatus.ACCEPTED);
		assertThat(Http.put(gateway.baseUrl() + "/" + taskOf(a), Referrals.json(taskA)).statusCode()).isEqualTo(200);
		ServiceRequest referralB = Referrals.read(gateway, b, ServiceRequest.class);
		referralB.addNote().setText("Prefers morning appointments.");
		assertThat(Http.put(gateway.baseUrl() + "/" + b, Referrals.json(referralB)).statusCode()).isEqualTo(200);

		Bundle next = get(poll + seen);
		assertThat(matches(next)).containsExactly(taskOf(a), taskOf(b));
		assertThat(next.getEntry()).filteredOn(e -> e.getResource() instanceof Task).extracting(e -> ((Task) e.getResource()).getMeta().getVersionId())
				.containsExactly("2", "2");
		assertThat(get(poll + lastUpdated(next)).getEntry()).isEmpty();
	}

	/** The polling recipe of the provider integration guide, accepting each Task as it is read, with small pages. */
	@Test
	void pollingWithACursorWhileAcceptingEachTaskMissesNone() {
		Instant mark = Instant.now();
		java.util.Set<String> referred = new java.util.LinkedHashSet<>();
		for (int i = 0; i < 5; i++) {
			referred.add(taskOf(refer()));
		}
		String poll = "Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|X99901&_sort=_lastUpdated&_count=2&_lastUpdated=ge";
		java.util.Set<String> processed = new java.util.HashSet<>();
		java.util.Set<String> accepted = new java.util.LinkedHashSet<>();
		Instant cursor = mark.minusSeconds(60);
		for (int round = 0; round < 50; round++) {
			Bundle page = get(poll + cursor);
			for (Bundle.BundleEntryComponent e : page.getEntry()) {
				Task task = (Task) e.getResource();
				String version = task.getIdElement().toUnqualifiedVersionless().getValue() + "/" + task.getMeta().getVersionId();
				if (processed.add(version) && task.getStatus() == Task.TaskStatus.REQUESTED) {
					task.setStatus(Task.TaskStatus.ACCEPTED);
					HttpResponse<String> done = Http.put(gateway.baseUrl() + "/" + task.getIdElement().toUnqualifiedVersionless().getValue(),
							Referrals.json(task));
					assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
					processed.add(task.getIdElement().toUnqualifiedVersionless().getValue() + "/" + Http.parse(done, Task.class).getMeta().getVersionId());
					accepted.add(task.getIdElement().toUnqualifiedVersionless().getValue());
				}
			}
			cursor = lastUpdated(page);
			if (page.getEntry().size() < 2) {
				break;
			}
		}
		assertThat(accepted).containsAll(referred);
	}

	static Instant lastUpdated(Bundle page) {
		return page.getEntry().stream().filter(e -> e.getResource() instanceof Task).map(e -> e.getResource().getMeta().getLastUpdated().toInstant())
				.max(Instant::compareTo).orElseThrow();
	}
}
