package org.spgateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spgateway.conformance.ConformanceResources;
import org.spgateway.conformance.LoadedResource;

/** The rules of a referral Task change, with the business steps as profiles/ ships them. */
class TaskRulesTest {

	static final FhirContext FHIR = FhirContext.forR4Cached();
	static final String REFERRAL = "ServiceRequest/ref-1";
	static final BusinessSteps STEPS = shippedSteps();
	static final TaskRules RULES = new TaskRules(STEPS, Set.of("not-eligible", "could-not-contact", "other"));

	/** A world with one onward referral (onward-1, based on ref-1), one response and one directory service. */
	static final TaskRules.Lookups WORLD = new TaskRules.Lookups() {
		@Override
		public boolean exists(String type, String id) {
			return Set.of("ServiceRequest/onward-1", "ServiceRequest/other-1", "QuestionnaireResponse/qr-1").contains(type + "/" + id);
		}

		@Override
		public boolean basedOn(String serviceRequestId, String referral) {
			return "onward-1".equals(serviceRequestId) && REFERRAL.equals(referral);
		}

		@Override
		public boolean knownService(Reference service) {
			return "HealthcareService/dos-9000101".equals(service.getReference())
					|| service.hasIdentifier() && "9000102".equals(service.getIdentifier().getValue());
		}

		@Override
		public List<String> requestedSubTasks(String taskId) {
			return List.of();
		}

		@Override
		public boolean hasSubTasks(String taskId) {
			return false;
		}
	};

	static BusinessSteps shippedSteps() {
		try (InputStream in = TaskRulesTest.class.getResourceAsStream("/profiles/CodeSystem/sp-business-status.json")) {
			CodeSystem cs = FHIR.newJsonParser().parseResource(CodeSystem.class, in);
			return BusinessSteps.from(new ConformanceResources(List.of(new LoadedResource("sp-business-status.json", cs))));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static Task stored(TaskStatus status) {
		Task t = new Task();
		t.setId("task-1");
		t.setStatus(status).setIntent(Task.TaskIntent.ORDER);
		t.getCode().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null));
		t.setFocus(new Reference(REFERRAL));
		t.setFor(new Reference("Patient/p-1"));
		t.setAuthoredOnElement(new DateTimeType("2026-11-20T10:15:02+00:00"));
		t.setRequester(new Reference().setIdentifier(new Identifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("A99901")));
		t.setOwner(new Reference("Organization/x99901").setDisplay("Northside Wellbeing Partnership"));
		return t;
	}

	static Task changed(Task before, Consumer<Task> change) {
		Task after = before.copy();
		change.accept(after);
		return after;
	}

	static OperationOutcome refusal(Task before, Task after) {
		try {
			RULES.check("task-1", before, after, REFERRAL, WORLD);
		} catch (BaseServerResponseException e) {
			return (OperationOutcome) e.getOperationOutcome();
		}
		throw new AssertionError("expected a refusal");
	}

	static int status(Task before, Task after) {
		try {
			RULES.check("task-1", before, after, REFERRAL, WORLD);
			return 200;
		} catch (BaseServerResponseException e) {
			return e.getStatusCode();
		}
	}

	static Stream<Arguments> immutableFields() {
		return Stream.of(
				Arguments.of("Task.for", (Consumer<Task>) t -> t.setFor(new Reference("Patient/someone-else"))),
				Arguments.of("Task.requester", (Consumer<Task>) t -> t.getRequester().getIdentifier().setValue("A99902")),
				Arguments.of("Task.owner", (Consumer<Task>) t -> t.setOwner(new Reference("Organization/elsewhere"))),
				Arguments.of("Task.intent", (Consumer<Task>) t -> t.setIntent(Task.TaskIntent.PLAN)),
				Arguments.of("Task.code", (Consumer<Task>) t -> t.getCode().getCodingFirstRep().setCode("approve")),
				Arguments.of("Task.authoredOn", (Consumer<Task>) t -> t.setAuthoredOnElement(new DateTimeType("2026-11-21T10:15:02+00:00"))),
				Arguments.of("Task.basedOn", (Consumer<Task>) t -> t.addBasedOn(new Reference("CarePlan/c-1"))),
				Arguments.of("Task.partOf", (Consumer<Task>) t -> t.addPartOf(new Reference("Task/parent"))));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("immutableFields")
	void fieldsTheGatewaySetCannotBeChanged(String element, Consumer<Task> change) {
		Task before = stored(TaskStatus.REQUESTED);
		OperationOutcome outcome = refusal(before, changed(before, change));
		assertThat(outcome.getIssueFirstRep().getExpression()).extracting(Object::toString).containsExactly(element);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("cannot be changed");
	}

	@Test
	void theFocusMustStayTheTasksOwnReferral() {
		Task before = stored(TaskStatus.REQUESTED);
		assertThat(refusal(before, changed(before, t -> t.setFocus(null))).getIssueFirstRep().getDiagnostics()).contains("is required");
		assertThat(refusal(before, changed(before, t -> t.setFocus(new Reference("ServiceRequest/other-1")))).getIssueFirstRep().getDiagnostics())
				.contains("must stay ServiceRequest/ref-1");
		assertThatCode(() -> RULES.check("task-1", before, changed(before, t -> t.getFocus().setReference(REFERRAL + "/_history/1")), REFERRAL,
				WORLD)).doesNotThrowAnyException();
	}

	@Test
	void aForbiddenMoveIsAConflictNamingTheAllowedOnes() {
		Task before = stored(TaskStatus.REQUESTED);
		Task after = changed(before, t -> t.setStatus(TaskStatus.COMPLETED));
		assertThat(status(before, after)).isEqualTo(409);
		assertThat(refusal(before, after).getIssueFirstRep().getDiagnostics())
				.isEqualTo("A Task cannot move from requested to completed. From requested it can move to: accepted, rejected, cancelled, entered-in-error");
		Task done = stored(TaskStatus.COMPLETED);
		assertThat(refusal(done, changed(done, t -> t.setStatus(TaskStatus.INPROGRESS))).getIssueFirstRep().getDiagnostics())
				.contains("completed is final; it can only be marked entered-in-error");
	}

	@Test
	void aRejectionMustBeCodedFromTheRejectionReasons() {
		Task before = stored(TaskStatus.REQUESTED);
		Task textOnly = changed(before, t -> t.setStatus(TaskStatus.REJECTED).setStatusReason(new CodeableConcept().setText("Not for us")));
		assertThat(refusal(before, textOnly).getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Task.statusReason");
		Task unknown = changed(textOnly, t -> t.getStatusReason().addCoding(new Coding(LifecycleCodes.REJECTION_REASON, "too-busy", null)));
		assertThat(refusal(before, unknown).getIssueFirstRep().getDiagnostics()).contains("'too-busy' is not a rejection reason");
		Task coded = changed(textOnly, t -> t.getStatusReason().addCoding(new Coding(LifecycleCodes.REJECTION_REASON, "not-eligible", null)));
		assertThat(status(before, coded)).isEqualTo(200);
	}

	@Test
	void aStepMustBeOneOfOursAndAllowedUnderTheStatus() {
		Task before = stored(TaskStatus.ACCEPTED);
		assertThat(status(before, changed(before, t -> t.getBusinessStatus().addCoding(STEPS.coding("contacted"))))).isEqualTo(200);
		OperationOutcome wrongStatus = refusal(before, changed(before, t -> t.getBusinessStatus().addCoding(STEPS.coding("assessed"))));
		assertThat(wrongStatus.getIssueFirstRep().getDiagnostics()).startsWith("Business status 'assessed' cannot be set while the Task is accepted")
				.contains("contacted");
		OperationOutcome foreign = refusal(before, changed(before, t -> t.getBusinessStatus().addCoding(new Coding("urn:local", "seen", null))));
		assertThat(foreign.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Task.businessStatus.coding[0]");
	}

	@Test
	void anUnchangedStepIsNotCheckedAgainstANewStatus() {
		Task before = changed(stored(TaskStatus.INPROGRESS), t -> t.getBusinessStatus().addCoding(STEPS.coding("assessed")));
		Task held = changed(before, t -> t.setStatus(TaskStatus.ONHOLD).setStatusReason(new CodeableConcept().setText("In hospital")));
		assertThat(status(before, held)).isEqualTo(200);
	}

	@Test
	void outputsMustNameWhatExists() {
		Task before = stored(TaskStatus.INPROGRESS);
		assertThat(status(before, changed(before, t -> output(t, "onward-referral", new Reference("ServiceRequest/onward-1"))))).isEqualTo(200);
		assertThat(refusal(before, changed(before, t -> output(t, "onward-referral", new Reference("ServiceRequest/nope")))).getIssueFirstRep()
				.getDiagnostics()).isEqualTo("ServiceRequest/nope does not exist");
		assertThat(refusal(before, changed(before, t -> output(t, "onward-referral", new Reference("ServiceRequest/other-1")))).getIssueFirstRep()
				.getDiagnostics()).contains("is not an onward referral from ServiceRequest/ref-1");
		assertThat(status(before, changed(before, t -> output(t, "signposting", new StringType("Tuesday walking group"))))).isEqualTo(200);
		assertThat(status(before, changed(before, t -> output(t, "signposting", new Reference().setIdentifier(
				new Identifier().setSystem("https://fhir.nhs.uk/Id/dos-service-id").setValue("9000102")))))).isEqualTo(200);
		OperationOutcome unknownService = refusal(before, changed(before, t -> output(t, "suggested-service",
				new Reference().setIdentifier(new Identifier().setSystem("https://fhir.nhs.uk/Id/dos-service-id").setValue("1234567")))));
		assertThat(unknownService.getIssueFirstRep().getDiagnostics()).startsWith("https://fhir.nhs.uk/Id/dos-service-id|1234567 is not a service");
		assertThat(unknownService.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Task.output[0].value");
		assertThat(status(before, changed(before, t -> output(t, "outcome-response", new Reference("QuestionnaireResponse/qr-1"))))).isEqualTo(200);
		assertThat(status(before, changed(before, t -> output(t, "outcome-response", new Reference("QuestionnaireResponse/qr-9"))))).isEqualTo(422);
	}

	@Test
	void aCaseClosesOnlySayingWhatThePersonWasConnectedTo() {
		Task before = stored(TaskStatus.INPROGRESS);
		Task bare = changed(before, t -> t.setStatus(TaskStatus.COMPLETED));
		assertThat(refusal(before, bare).getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Task.output");
		assertThat(status(before, changed(bare, t -> output(t, "no-onward-connection", new StringType("Supported by the link worker alone")))))
				.isEqualTo(200);
		Task failed = changed(before, t -> t.setStatus(TaskStatus.FAILED).setStatusReason(new CodeableConcept().setText("Not engaged")));
		assertThat(status(before, failed)).isEqualTo(422);
	}

	@Test
	void anOnwardReferralClosesWithoutListingConnections() {
		Task before = changed(stored(TaskStatus.INPROGRESS), t -> t.addPartOf(new Reference("Task/parent")));
		assertThat(status(before, changed(before, t -> t.setStatus(TaskStatus.COMPLETED)))).isEqualTo(200);
	}

	@Test
	void aCaseWithAnUnansweredOnwardReferralClosesOnlyWithAReason() {
		TaskRules.Lookups waiting = new TaskRules.Lookups() {
			@Override
			public boolean exists(String type, String id) {
				return WORLD.exists(type, id);
			}

			@Override
			public boolean basedOn(String serviceRequestId, String referral) {
				return WORLD.basedOn(serviceRequestId, referral);
			}

			@Override
			public boolean knownService(Reference service) {
				return WORLD.knownService(service);
			}

			@Override
			public List<String> requestedSubTasks(String taskId) {
				return List.of("Task/onward-task-1");
			}

			@Override
			public boolean hasSubTasks(String taskId) {
				return true;
			}
		};
		Task before = stored(TaskStatus.INPROGRESS);
		Task closing = changed(before, t -> t.setStatus(TaskStatus.COMPLETED));
		assertThatThrownBy(() -> RULES.check("task-1", before, closing, REFERRAL, waiting)).isInstanceOf(BaseServerResponseException.class)
				.hasMessageContaining("Onward referral Task/onward-task-1 is still requested");
		Task withReason = changed(closing, t -> t.setStatusReason(new CodeableConcept().setText("Moved out of the area")));
		assertThatCode(() -> RULES.check("task-1", before, withReason, REFERRAL, waiting)).doesNotThrowAnyException();
	}

	static void output(Task task, String type, Type value) {
		task.addOutput().setType(new CodeableConcept().addCoding(new Coding(LifecycleCodes.TASK_OUTPUT, type, null))).setValue(value);
	}
}
