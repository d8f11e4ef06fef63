package org.spgateway.workflow;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.spgateway.access.ReferralParties;
import org.spgateway.directory.DirectoryOrganization;
import org.spgateway.directory.ServiceDirectory;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.fhir.Outcomes;
import org.spgateway.intake.BarsHeaders;
import org.spgateway.intake.ReferralRecords;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.ResourceWriteHandler;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.security.AccessScope;
import org.spgateway.store.LocalReference;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ValidationIssue;

/**
 * The referral lifecycle: owns every API write to Tasks (PUT, JSON Patch, FHIRPath Patch, transaction
 * and batch entries). Tasks are created by intake alone; a change to a referral Task must keep the
 * referral it fulfils, move its status as {@link TaskTransitions} allows and meet {@link TaskRules}.
 * The gateway sets lastModified, stores nothing for an identical resend, closes the referral when the
 * Task closes, and records who acted with a Provenance, all in one transaction.
 */
public class TaskLifecycle implements ResourceWriteHandler {

	private final ResourceService resources;
	private final ResourceStore store;
	private final ReferralRecords records;
	private final ServiceDirectory directory;
	private final TaskRules rules;
	private final ReferralClosure closure;
	private final ReferralParties parties;

	public TaskLifecycle(ResourceService resources, ResourceStore store, ReferralRecords records, ServiceDirectory directory, TaskRules rules,
			ReferralParties parties) {
		this.parties = parties;
		this.resources = resources;
		this.store = store;
		this.records = records;
		this.directory = directory;
		this.rules = rules;
		this.closure = new ReferralClosure(resources, store);
	}

	@Override
	public String resourceType() {
		return "Task";
	}

	@Override
	public WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context) {
		throw TaskRefusals.createRefused();
	}

	@Override
	public List<ValidationIssue> check(Resource resource, WriteContext context) {
		return List.of(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "Tasks are created by the gateway's referral"
				+ " intake; an update of a referral Task is also checked against its lifecycle (status moves, steps, outputs) when sent", "Task"));
	}

	@Override
	public WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		StoredResource current = store.lockCurrent("Task", id).orElse(null);
		if (current == null) {
			// An update that would create a Task is a create.
			throw TaskRefusals.createRefused();
		}
		if (expectedVersion != null && expectedVersion != current.version()) {
			throw Outcomes.preconditionFailed("If-Match expected version " + expectedVersion + " of Task/" + id + " but the current version is "
					+ current.version() + "; nothing was changed");
		}
		ReferralRecords.Referral record = records.findByTask(id).orElseThrow(() -> TaskRefusals.notAReferralTask(id));
		String referral = "ServiceRequest/" + record.serviceRequestId();
		Task before = (Task) resources.toResource(current);
		Task after = (Task) incoming.resource();
		Actor actor = actor(before, after, context);
		rules.check(id, before, after, referral, new StoreLookups(id));
		after.setLastModified(before.getLastModified());
		if (unchanged(before, after)) {
			List<ValidationIssue> issues = new ArrayList<>(incoming.warnings());
			issues.add(new ValidationIssue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, "No change: Task/" + id + " is already as sent,"
					+ " so no new version was stored", "Task"));
			return new WriteOutcome(current, before, false, false, issues);
		}
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		after.setLastModified(Date.from(now));
		boolean closing = ReferralClosure.closes(after.getStatus()) && before.getStatus() != after.getStatus();
		if (closing && !after.hasPartOf()) {
			listOnwardReferrals(id, after);
		}
		WriteOutcome stored = resources.updateNow(current, after, null, incoming.method(), incoming.warnings());
		List<Reference> targets = new ArrayList<>(List.of(new Reference(stored.stored().versionedId())));
		if (closing) {
			StoredResource closed = closure.follow(after, record.serviceRequestId());
			if (closed != null) {
				targets.add(new Reference(closed.versionedId()));
			}
		}
		resources.createNow(TaskProvenance.of(targets, after, now, actor.who(), actor.onBehalfOf()), ResourceStore.newId(), List.of());
		return stored;
	}

	/** Whether the sent Task says nothing new: the same content apart from meta (lastModified already aligned). */
	private static boolean unchanged(Task before, Task after) {
		Task x = before.copy();
		Task y = after.copy();
		x.setMeta(null);
		y.setMeta(null);
		x.setIdElement(y.getIdElement());
		return x.equalsDeep(y);
	}

	/** A closing case lists every onward referral made for it, whether or not the link worker listed them. */
	private void listOnwardReferrals(String taskId, Task task) {
		for (StoredResource sub : resources.matchAll("Task", "part-of=Task/" + taskId, 1000)) {
			Task onward = (Task) resources.toResource(sub);
			String focus = onward.getFocus().getReference();
			LocalReference target = LocalReference.parse(focus);
			if (target == null) {
				continue;
			}
			boolean listed = task.getOutput().stream().filter(o -> LifecycleCodes.ONWARD_REFERRAL.equals(TaskRules.type(o)))
					.anyMatch(o -> o.getValue() instanceof Reference r && target.versionless().equals(stripVersion(r.getReference())));
			if (!listed) {
				task.addOutput().setType(new CodeableConcept().addCoding(new Coding(LifecycleCodes.TASK_OUTPUT, LifecycleCodes.ONWARD_REFERRAL,
						"Onward referral"))).setValue(new Reference(target.versionless()).setDisplay(onward.getDescription()));
			}
		}
	}

	private static String stripVersion(String reference) {
		LocalReference local = LocalReference.parse(reference);
		return local == null ? reference : local.versionless();
	}

	/** Who acts, and for whom. */
	private record Actor(Reference who, Reference onBehalfOf) {}

	/**
	 * The acting organisation: the caller's (when the request has an organisation-bound caller), else the one
	 * NHSD-End-User-Organisation names: the Task's owner, or for an onward referral the provider that made it, acting for
	 * the onward service; a caller on the referrer side (the Task's requester) may only cancel. Anyone else is refused.
	 * Without either, the owner is assumed.
	 */
	private Actor actor(Task task, Task after, WriteContext context) {
		if (!ReferralParties.actsForAnyone(context.request())) {
			return callerActor(task, after, context);
		}
		Reference owner = task.getOwner();
		String ods = BarsHeaders.read(context, false).endUserOrganisation();
		if (ods == null || sameOrganisation(owner, ods)) {
			return new Actor(owner, null);
		}
		Reference parentOwner = parentOwner(task);
		if (parentOwner != null && sameOrganisation(parentOwner, ods)) {
			return new Actor(parentOwner, owner);
		}
		throw TaskRefusals.actorNotAllowed(ods, "Task/" + task.getIdElement().getIdPart());
	}

	/** The acting organisation of an authenticated partner, from its client binding rather than any header. */
	private Actor callerActor(Task task, Task after, WriteContext context) {
		Reference owner = task.getOwner();
		if (parties.actsFor(context.request(), owner)) {
			return new Actor(owner, null);
		}
		Reference parentOwner = parentOwner(task);
		if (parentOwner != null && parties.actsFor(context.request(), parentOwner)) {
			return new Actor(parentOwner, owner);
		}
		boolean cancelling = after.getStatus() == TaskStatus.CANCELLED && task.getStatus() != TaskStatus.CANCELLED;
		if (cancelling && parties.actsFor(context.request(), task.getRequester())) {
			return new Actor(task.getRequester(), null);
		}
		throw TaskRefusals.callerNotAllowed("Task/" + task.getIdElement().getIdPart());
	}

	/** For an onward referral's Task, the owner of the Task it is part of (the provider that made it); else null. */
	private Reference parentOwner(Task task) {
		if (!task.hasPartOf()) {
			return null;
		}
		LocalReference parent = LocalReference.parse(task.getPartOfFirstRep().getReference());
		StoredResource parentTask = parent == null ? null : store.read("Task", parent.id(), AccessScope.UNRESTRICTED).orElse(null);
		return parentTask == null ? null : ((Task) resources.toResource(parentTask)).getOwner();
	}

	private boolean sameOrganisation(Reference reference, String ods) {
		if (reference.hasIdentifier() && NhsIdentifiers.is(reference.getIdentifier().getSystem(), NhsIdentifiers.ODS_ORGANIZATION)) {
			return ods.equals(reference.getIdentifier().getValue());
		}
		DirectoryOrganization organisation = directory.organization(reference);
		return organisation != null && ods.equals(organisation.ods());
	}

	/** The rules' lookups, answered from the store and the directory. */
	private final class StoreLookups implements TaskRules.Lookups {

		private final String taskId;

		StoreLookups(String taskId) {
			this.taskId = taskId;
		}

		@Override
		public boolean exists(String type, String id) {
			return store.exists(type, id);
		}

		@Override
		public boolean basedOn(String serviceRequestId, String referral) {
			StoredResource stored = store.read("ServiceRequest", serviceRequestId, AccessScope.UNRESTRICTED).orElse(null);
			if (stored == null) {
				return false;
			}
			ServiceRequest onward = (ServiceRequest) resources.toResource(stored);
			return onward.getBasedOn().stream().anyMatch(b -> Objects.equals(referral, stripVersion(b.getReference())));
		}

		@Override
		public boolean knownService(Reference service) {
			LocalReference local = LocalReference.parse(service.getReference());
			if (local != null) {
				return local.type().equals("HealthcareService") && directory.service(local.id()) != null;
			}
			return service.hasIdentifier() && directory.serviceByIdentifier(service.getIdentifier().getSystem(), service.getIdentifier().getValue())
					!= null;
		}

		@Override
		public List<String> requestedSubTasks(String id) {
			return resources.matchAll("Task", "part-of=Task/" + id + "&status=requested", 1000).stream().map(s -> "Task/" + s.id()).toList();
		}

		@Override
		public boolean hasSubTasks(String id) {
			return !resources.matchAll("Task", "part-of=Task/" + id, 1).isEmpty();
		}
	}
}
