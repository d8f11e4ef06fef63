package org.spgateway.workflow;

import java.sql.Timestamp;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.store.LocalReference;
import org.spgateway.store.StoredResource;
import org.spgateway.store.TransactionWrites;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Keeps table task_workflow current with every referral Task version, in the same transaction: when
 * it was accepted, first showed contact, got an onward outcome, closed. Overdue work is then one
 * indexed query across all providers rather than a walk through Task histories.
 */
public class TaskWorkflowIndex implements ResourceChangeListener {

	static final String SENDER_CONTEXT_TAG = "https://spgateway.org/fhir/CodeSystem/sp-record-kind";
	private static final String UPSERT = "INSERT INTO task_workflow (task_id, referral_id, parent_task_id, owner, patient, status,"
			+ " business_status, authored_at, response_due, accepted_at, contacted_at, onward_outcome_at, closed_at, updated_at)"
			+ " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task_id) DO UPDATE SET owner = EXCLUDED.owner,"
			+ " status = EXCLUDED.status, business_status = EXCLUDED.business_status, response_due = EXCLUDED.response_due,"
			+ " accepted_at = COALESCE(task_workflow.accepted_at, EXCLUDED.accepted_at),"
			+ " contacted_at = COALESCE(task_workflow.contacted_at, EXCLUDED.contacted_at),"
			+ " onward_outcome_at = COALESCE(task_workflow.onward_outcome_at, EXCLUDED.onward_outcome_at),"
			+ " closed_at = COALESCE(task_workflow.closed_at, EXCLUDED.closed_at), updated_at = EXCLUDED.updated_at";

	private final JdbcTemplate jdbc;
	private final BusinessSteps steps;

	public TaskWorkflowIndex(JdbcTemplate jdbc, BusinessSteps steps) {
		this.jdbc = jdbc;
		this.steps = steps;
	}

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		if (!(resource instanceof Task task) || !isReferralTask(task)) {
			return;
		}
		LocalReference referral = LocalReference.parse(task.getFocus().getReference());
		LocalReference parent = task.hasPartOf() ? LocalReference.parse(task.getPartOfFirstRep().getReference()) : null;
		Timestamp at = Timestamp.from(stored.lastUpdated());
		TaskStatus status = task.getStatus();
		BusinessSteps.Step step = task.getBusinessStatus().getCoding().stream().map(steps::step).filter(s -> s != null).findFirst().orElse(null);
		boolean accepted = status != TaskStatus.REQUESTED && status != TaskStatus.DRAFT && status != TaskStatus.RECEIVED
				&& status != TaskStatus.REJECTED && status != TaskStatus.CANCELLED && status != TaskStatus.ENTEREDINERROR;
		boolean closed = TaskTransitions.isTerminal(status);
		TransactionWrites.send(jdbc, UPSERT, stored.id(), referral.id(), parent == null ? null : parent.id(), ownerKey(task.getOwner()),
				task.getFor().getReference(), status.toCode(), step == null ? null : step.code(),
				Timestamp.from(task.hasAuthoredOn() ? task.getAuthoredOn().toInstant() : stored.lastUpdated()),
				task.getRestriction().getPeriod().hasEnd() ? Timestamp.from(task.getRestriction().getPeriod().getEnd().toInstant()) : null,
				accepted ? at : null, step != null && step.countsAsContact() ? at : null,
				step != null && step.onwardOutcome() || closed ? at : null, closed ? at : null, at);
	}

	/** A Task intake made for a referral: fulfils a ServiceRequest, and is not a sender's own Task carried as context. */
	public static boolean isReferralTask(Task task) {
		LocalReference focus = task.hasFocus() ? LocalReference.parse(task.getFocus().getReference()) : null;
		boolean fulfils = task.getCode().getCoding().stream().anyMatch(c -> "fulfill".equals(c.getCode()));
		boolean senderContext = task.getMeta().getTag().stream().map(Coding::getSystem).anyMatch(SENDER_CONTEXT_TAG::equals);
		return focus != null && "ServiceRequest".equals(focus.type()) && fulfils && !senderContext && task.hasStatus();
	}

	/** How task_workflow names an owner: its ODS code when the reference carries one, else the reference. */
	static String ownerKey(Reference owner) {
		if (owner == null || owner.isEmpty()) {
			return null;
		}
		if (owner.hasIdentifier() && NhsIdentifiers.is(owner.getIdentifier().getSystem(), NhsIdentifiers.ODS_ORGANIZATION)) {
			return owner.getIdentifier().getValue();
		}
		return owner.hasReference() ? owner.getReference() : owner.getIdentifier().getSystem() + "|" + owner.getIdentifier().getValue();
	}
}
