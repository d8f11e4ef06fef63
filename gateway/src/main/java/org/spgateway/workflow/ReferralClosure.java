package org.spgateway.workflow;

import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestStatus;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.spgateway.resources.ResourceService;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;

/**
 * A referral follows its Task when the Task closes: completed or failed work completes the
 * ServiceRequest, a rejection or cancellation revokes it (with the Task's reason), in the same
 * transaction as the Task, so the referral's own status never contradicts its Task.
 */
final class ReferralClosure {

	static final String STATUS_REASON = "http://hl7.org/fhir/StructureDefinition/request-statusReason";

	private final ResourceService resources;
	private final ResourceStore store;

	ReferralClosure(ResourceService resources, ResourceStore store) {
		this.resources = resources;
		this.store = store;
	}

	/** The referral's new version, or null when the Task's status does not close the referral or it is closed already. */
	StoredResource follow(Task task, String referralId) {
		ServiceRequestStatus target = switch (task.getStatus()) {
			case COMPLETED, FAILED -> ServiceRequestStatus.COMPLETED;
			case REJECTED, CANCELLED -> ServiceRequestStatus.REVOKED;
			default -> null;
		};
		if (target == null) {
			return null;
		}
		StoredResource current = store.lockCurrent("ServiceRequest", referralId).orElse(null);
		if (current == null) {
			return null;
		}
		ServiceRequest referral = (ServiceRequest) resources.toResource(current);
		if (referral.getStatus() != ServiceRequestStatus.ACTIVE && referral.getStatus() != ServiceRequestStatus.ONHOLD) {
			return null;
		}
		referral.setStatus(target);
		if (target == ServiceRequestStatus.REVOKED && task.hasStatusReason()) {
			referral.getExtension().removeIf(e -> STATUS_REASON.equals(e.getUrl()));
			CodeableConcept reason = task.getStatusReason().copy();
			referral.addExtension(STATUS_REASON, reason);
		}
		return resources.updateNow(current, referral, null, "PUT", List.of()).stored();
	}

	static boolean closes(TaskStatus status) {
		return status == TaskStatus.COMPLETED || status == TaskStatus.FAILED || status == TaskStatus.REJECTED || status == TaskStatus.CANCELLED;
	}
}
