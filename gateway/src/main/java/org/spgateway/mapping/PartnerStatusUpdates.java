package org.spgateway.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.ConceptMap.ConceptMapGroupComponent;
import org.hl7.fhir.r4.model.ConceptMap.SourceElementComponent;
import org.hl7.fhir.r4.model.ConceptMap.TargetElementComponent;
import org.hl7.fhir.r4.model.Enumerations.ConceptMapEquivalence;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.spgateway.fhir.Outcomes;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.Message;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.workflow.LifecycleCodes;
import org.spgateway.workflow.TaskTransitions;

/**
 * A provider platform's status words applied to a referral Task. The partner's {@code inbound status-update} ConceptMap
 * says what each word means, in up to three groups by target system: the Task's status ({@code http://hl7.org/fhir/task-status}),
 * its step ({@code sp-business-status}) and, for a close, the output type recorded when the Task has none saying what the person
 * was connected to ({@code sp-task-output}). A word listed as {@code unmatched} in a group leaves that element as it is. The change
 * is written through {@link ResourceService#patch}, so the Task's write handler (the lifecycle rules) decides: a forbidden move is
 * still 409, a missing reason 422.
 */
public class PartnerStatusUpdates {

	static final String TASK_STATUS = "http://hl7.org/fhir/task-status";
	static final String BUSINESS_STATUS = "https://spgateway.org/fhir/CodeSystem/sp-business-status";
	private static final Set<String> CONNECTION_OUTPUTS = Set.of(LifecycleCodes.ONWARD_REFERRAL, LifecycleCodes.SIGNPOSTING,
			LifecycleCodes.NO_ONWARD_CONNECTION);
	private static final String PARAMETER = "Parameters.parameter.where(name = '%s')";
	/** Where a value is in the Parameters form: the expression of a refusal about it. */
	static final UnaryOperator<String> IN_PARAMETERS = name -> PARAMETER.formatted(name);

	private final Partners partners;
	private final ConceptMapTranslator translator;
	private final ResourceService resources;

	public PartnerStatusUpdates(Partners partners, ConceptMapTranslator translator, ResourceService resources) {
		this.partners = partners;
		this.translator = translator;
		this.resources = resources;
	}

	Partners partners() {
		return partners;
	}

	/**
	 * What a word means for the Task, from the partner's ConceptMap.
	 *
	 * @param meaning       the word's display in the ConceptMap: the reason or outcome text when the partner sends no note
	 * @param status        the Task's new status, or null to keep it
	 * @param businessStatus the new step, or null to keep it
	 * @param closingOutput the sp-task-output type a close records when the Task has no connection output, or null
	 */
	public record Change(String word, String meaning, TaskStatus status, Coding businessStatus, String closingOutput) {}

	/** The partner's change for this word; 422 naming the words it knows when the ConceptMap does not list it. */
	public Change change(PartnerDefinition partner, String word) {
		return change(partner, word, IN_PARAMETERS);
	}

	/** @param where the expression of each value (status, partner) in the form the partner posted */
	Change change(PartnerDefinition partner, String word, UnaryOperator<String> where) {
		ConceptMap map = conceptMap(partner, where);
		List<String> known = new ArrayList<>();
		SourceElementComponent found = null;
		String meaning = null;
		TaskStatus status = null;
		Coding step = null;
		String output = null;
		for (ConceptMapGroupComponent group : map.getGroup()) {
			for (SourceElementComponent element : group.getElement()) {
				if (!known.contains(element.getCode())) {
					known.add(element.getCode());
				}
				if (!element.getCode().equals(word)) {
					continue;
				}
				found = element;
				meaning = meaning != null ? meaning : element.getDisplay();
				TargetElementComponent target = usable(element);
				if (target == null) {
					continue;
				}
				switch (group.getTarget()) {
					case TASK_STATUS -> status = TaskStatus.fromCode(target.getCode());
					case BUSINESS_STATUS -> step = new Coding(BUSINESS_STATUS, target.getCode(), target.getDisplay());
					case LifecycleCodes.TASK_OUTPUT -> output = target.getCode();
					default -> {
						// A group for another target system says nothing about the Task.
					}
				}
			}
		}
		if (found == null) {
			throw Outcomes.unprocessable("'" + word + "' is not a status word of " + partner.name() + ": its ConceptMap " + map.getUrl()
					+ " knows " + String.join(", ", known), where.apply("status"));
		}
		return new Change(word, meaning == null ? word : meaning, status, step, output);
	}

	/** The one target a word maps to in a group, or null when the group leaves the element as it is (unmatched). */
	private static TargetElementComponent usable(SourceElementComponent element) {
		for (TargetElementComponent target : element.getTarget()) {
			if (target.hasCode() && ConceptMapTranslator.USABLE.contains(target.getEquivalence())) {
				return target;
			}
			if (target.getEquivalence() != ConceptMapEquivalence.UNMATCHED) {
				throw new IllegalStateException("ConceptMap target for " + element.getCode() + " is neither usable nor unmatched");
			}
		}
		return null;
	}

	private ConceptMap conceptMap(PartnerDefinition partner, UnaryOperator<String> where) {
		Optional<String> url = partner.conceptMapFor(Direction.INBOUND, Message.STATUS_UPDATE);
		if (url.isEmpty()) {
			throw Outcomes.unprocessable("The partner " + partner.id() + " has no inbound status-update ConceptMap: it sends Task changes in the"
					+ " gateway's own shape (PUT or PATCH Task)", where.apply("partner"));
		}
		// The descriptor was checked against the loaded ConceptMaps at start-up.
		return translator.byUrl(url.get()).orElseThrow();
	}

	/**
	 * Applies a partner's status word to the Task, through the Task's write handler.
	 *
	 * @param partnerId the partner's id (its folder's name); it must speak for the Task's owner
	 * @param note      the partner's own words, or null: the reason (statuses that need one) and a close's outcome text
	 */
	public WriteOutcome apply(String taskId, String partnerId, String word, String note, WriteContext context) {
		return apply(taskId, partner(partnerId, IN_PARAMETERS), word, note, context, IN_PARAMETERS);
	}

	/** The partner with this id; 422 naming the partners there are. */
	PartnerDefinition partner(String partnerId, UnaryOperator<String> where) {
		return partners.byId(partnerId).orElseThrow(() -> Outcomes.unprocessable("There is no partner '" + partnerId
				+ "'; the partners are " + String.join(", ", partners.all().stream().map(PartnerDefinition::id).toList()),
				where.apply("partner")));
	}

	/** As {@link #apply(String, String, String, String, WriteContext)}, for a partner already known and a form of its own. */
	WriteOutcome apply(String taskId, PartnerDefinition partner, String word, String note, WriteContext context, UnaryOperator<String> where) {
		Change change = change(partner, word, where);
		return resources.patch("Task", taskId, null, current -> {
			Task task = (Task) current;
			requireOwner(task, partner, where);
			return changed(task, change, note);
		}, context);
	}

	/** The partner must speak for the organisation that owns the Task (and the caller for the partner: PartnerCallers). */
	private void requireOwner(Task task, PartnerDefinition partner, UnaryOperator<String> where) {
		Identifier owner = task.getOwner().getIdentifier();
		boolean owns = owner.hasSystem() && owner.hasValue()
				&& partners.forOrganization(owner.getSystem(), owner.getValue()).map(p -> p.id().equals(partner.id())).orElse(false);
		if (!owns) {
			throw Outcomes.unprocessable("Task/" + task.getIdElement().getIdPart() + " is owned by " + (owner.hasValue() ? owner.getValue()
					: "an organisation without an ODS code") + ", which the partner " + partner.id() + " does not speak for",
					where.apply("partner"));
		}
	}

	/** The Task as the word makes it (the lifecycle rules then judge the change). */
	static Task changed(Task task, Change change, String note) {
		String text = note != null && !note.isBlank() ? note.trim() : change.meaning();
		boolean moved = change.status() != null && change.status() != task.getStatus();
		if (change.status() != null) {
			task.setStatus(change.status());
		}
		if (change.businessStatus() != null) {
			task.setBusinessStatus(new CodeableConcept().addCoding(change.businessStatus().copy()));
		}
		if (TaskTransitions.needsReason(task.getStatus()) && (moved || (note != null && !note.isBlank()))) {
			task.setStatusReason(new CodeableConcept().setText(text));
		}
		boolean connected = task.getOutput().stream().anyMatch(o -> o.getType().getCoding().stream()
				.anyMatch(c -> LifecycleCodes.TASK_OUTPUT.equals(c.getSystem()) && CONNECTION_OUTPUTS.contains(c.getCode())));
		if (change.closingOutput() != null && moved && !connected) {
			task.addOutput().setType(new CodeableConcept().addCoding(new Coding(LifecycleCodes.TASK_OUTPUT, change.closingOutput(), null)))
					.setValue(new StringType(text));
		}
		return task;
	}
}
