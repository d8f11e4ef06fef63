package org.spgateway.testsupport;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.spgateway.intake.TestNhsNumbers;

/**
 * Referral Tasks for tests outside intake, made the only way there is: a referral goes through intake,
 * which creates its Task, and the provider then moves the Task as the lifecycle allows. Also adds
 * providers to a gateway's directory, for tests that need Tasks of an owner of their own (only on a
 * gateway the test started itself: the shared one's directory is the demo directory).
 */
public final class ReferralWork {

	public static final String ODS = "https://fhir.nhs.uk/Id/ods-organization-code";
	public static final String DOS = "https://fhir.nhs.uk/Id/dos-service-id";
	public static final String DIRECTORY_ORGANIZATION = "https://spgateway.org/fhir/Id/directory-organization";
	public static final String REJECTION_REASON = "https://spgateway.org/fhir/CodeSystem/sp-rejection-reason";
	public static final String TASK_OUTPUT = "https://spgateway.org/fhir/CodeSystem/sp-task-output";
	public static final String BUSINESS_STATUS = "https://spgateway.org/fhir/CodeSystem/sp-business-status";

	/** A referral intake took, and the Task it created for the provider. */
	public record Referral(String referralId, String patientId, String taskId, String requestId) {}

	private ReferralWork() {}

	/**
	 * Adds a provider identified by its ODS code, running one service that takes referrals for anyone,
	 * to the gateway's directory; answers a reference to the service for ServiceRequest.performer.
	 */
	public static Reference addProvider(GatewayServer gateway, String ods) {
		return addProvider(gateway, ODS, ods);
	}

	/** As {@link #addProvider(GatewayServer, String)}, for a provider identified under another system (e.g. one without an ODS code). */
	public static Reference addProvider(GatewayServer gateway, String system, String value) {
		Organization provider = parse(Fixtures.text(ReferralWork.class, "provider.json").replace("${IDENTIFIER}", value), Organization.class);
		provider.getIdentifierFirstRep().setSystem(system);
		String providerId = created(Http.post(gateway.baseUrl() + "/Organization", Http.json(provider)), Organization.class)
				.getIdElement().getIdPart();
		String dos = "8" + String.format("%07d", ThreadLocalRandom.current().nextInt(10_000_000));
		String service = Fixtures.text(ReferralWork.class, "service.json").replace("${IDENTIFIER}", value).replace("${DOS}", dos)
				.replace("${PROVIDER}", "Organization/" + providerId);
		String serviceId = created(Http.post(gateway.baseUrl() + "/HealthcareService", service), HealthcareService.class)
				.getIdElement().getIdPart();
		return new Reference("HealthcareService/" + serviceId);
	}

	/** A sandbox-directory service that takes anyone (welfare rights advice), by its DoS id. */
	public static Reference sandboxService() {
		return new Reference().setIdentifier(new Identifier().setSystem(DOS).setValue("9000102"));
	}

	/** Refers a new person to {@code service}; the Task is the one intake created for the referral. */
	public static Referral refer(GatewayServer gateway, Reference service) {
		return refer(gateway, service, r -> { });
	}

	/** As {@link #refer(GatewayServer, Reference)}, with the referral shaped first; {@code headers} go with the referral's POST. */
	public static Referral refer(GatewayServer gateway, Reference service, Consumer<ServiceRequest> shape, String... headers) {
		String nhs = TestNhsNumbers.next();
		String patient = Fixtures.text(ReferralWork.class, "patient.json").replace("${NHS}", nhs);
		String patientId = created(Http.post(gateway.baseUrl() + "/Patient", patient), Patient.class).getIdElement().getIdPart();
		ServiceRequest referral = parse(Fixtures.text(ReferralWork.class, "referral.json").replace("${REF}", "REF-" + UUID.randomUUID())
				.replace("${PATIENT}", patientId), ServiceRequest.class);
		referral.addPerformer(service.copy());
		shape.accept(referral);
		HttpResponse<String> response = Http.post(gateway.baseUrl() + "/ServiceRequest", Http.json(referral), headers);
		String referralId = created(response, ServiceRequest.class).getIdElement().getIdPart();
		Bundle tasks = Http.parse(Http.get(gateway.baseUrl() + "/Task?focus=ServiceRequest/" + referralId), Bundle.class);
		if (tasks.getEntry().size() != 1) {
			throw new AssertionError("Intake should have created one Task for ServiceRequest/" + referralId + ", found " + tasks.getEntry().size());
		}
		String taskId = tasks.getEntryFirstRep().getResource().getIdElement().getIdPart();
		return new Referral(referralId, patientId, taskId, response.headers().firstValue("X-Request-Id").orElse(null));
	}

	public static Task task(GatewayServer gateway, String taskId) {
		HttpResponse<String> response = Http.get(gateway.baseUrl() + "/Task/" + taskId);
		if (response.statusCode() != 200) {
			throw new AssertionError("GET Task/" + taskId + " answered " + response.statusCode() + ": " + response.body());
		}
		return Http.parse(response, Task.class);
	}

	/** PUTs the Task, which must be accepted (200); answers the stored version. */
	public static Task update(GatewayServer gateway, Task task, String... headers) {
		HttpResponse<String> response = Http.put(gateway.baseUrl() + "/Task/" + task.getIdElement().getIdPart(), Http.json(task), headers);
		if (response.statusCode() != 200) {
			throw new AssertionError("PUT Task/" + task.getIdElement().getIdPart() + " answered " + response.statusCode() + ": " + response.body());
		}
		return Http.parse(response, Task.class);
	}

	/** Reads the Task, lets {@code change} change it, and stores the change. */
	public static Task change(GatewayServer gateway, String taskId, Consumer<Task> change, String... headers) {
		Task task = task(gateway, taskId);
		change.accept(task);
		return update(gateway, task, headers);
	}

	/**
	 * Moves a requested Task along the closed-loop path to {@code status} (requested, accepted, in-progress,
	 * on-hold, completed, failed, rejected or cancelled), one allowed move at a time, saying why where the
	 * lifecycle asks; answers the Task as stored.
	 */
	public static Task moveTo(GatewayServer gateway, String taskId, TaskStatus status) {
		Task task = task(gateway, taskId);
		if (task.getStatus() != TaskStatus.REQUESTED) {
			throw new AssertionError("Task/" + taskId + " is " + task.getStatus().toCode() + "; moveTo starts from requested");
		}
		for (TaskStatus step : path(status)) {
			task = update(gateway, shaped(task, step));
		}
		return task;
	}

	private static List<TaskStatus> path(TaskStatus status) {
		return switch (status) {
			case REQUESTED -> List.of();
			case ACCEPTED, REJECTED, CANCELLED -> List.of(status);
			case INPROGRESS, ONHOLD, COMPLETED, FAILED -> List.of(TaskStatus.ACCEPTED, status);
			default -> throw new IllegalArgumentException("No path from requested to " + status.toCode());
		};
	}

	/** The Task in {@code status}, with what the lifecycle asks of that move. */
	private static Task shaped(Task task, TaskStatus status) {
		Task next = task.copy();
		next.setStatus(status);
		switch (status) {
			case REJECTED -> next.setStatusReason(new CodeableConcept(new Coding(REJECTION_REASON, "beyond-remit", null))
					.setText("Needs specialist debt advice, which this service does not give"));
			case CANCELLED -> next.setStatusReason(new CodeableConcept().setText("The person moved out of the area"));
			case ONHOLD -> next.setStatusReason(new CodeableConcept().setText("The person is in hospital for two weeks"));
			case COMPLETED, FAILED -> {
				if (status == TaskStatus.FAILED) {
					next.setStatusReason(new CodeableConcept().setText("No reply to three calls and a letter"));
				}
				next.addOutput().setType(new CodeableConcept(new Coding(TASK_OUTPUT, "no-onward-connection", null)))
						.setValue(new StringType(status == TaskStatus.COMPLETED ? "Support from the link worker was enough" : "Could not be contacted"));
			}
			default -> { }
		}
		return next;
	}

	/** A business step (Task.businessStatus) of the gateway's steps. */
	public static CodeableConcept step(String code) {
		return new CodeableConcept(new Coding(BUSINESS_STATUS, code, null));
	}

	private static <T extends IBaseResource> T created(HttpResponse<String> response, Class<T> type) {
		if (response.statusCode() != 201 && response.statusCode() != 200) {
			throw new AssertionError("POST " + response.request().uri() + " answered " + response.statusCode() + ": " + response.body());
		}
		return Http.parse(response, type);
	}

	private static <T extends IBaseResource> T parse(String json, Class<T> type) {
		return GatewayServer.fhirContext().newJsonParser().parseResource(type, json);
	}
}
