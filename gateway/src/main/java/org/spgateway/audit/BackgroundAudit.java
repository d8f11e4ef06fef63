package org.spgateway.audit;

import java.time.Instant;
import java.util.function.Supplier;
import org.spgateway.security.Caller;

/**
 * The audit of work the gateway does for a caller after answering its request (a bulk import's batches): what each
 * transaction of that work stores becomes one AuditEvent, committed with it, naming the caller and the request that
 * started it (its request and correlation ids), exactly as a request's own writes are recorded.
 */
public final class BackgroundAudit {

	private BackgroundAudit() {}

	/**
	 * Runs {@code work} on this thread with an audit record of its own.
	 *
	 * @param operation the operation the work belongs to, e.g. {@code $import}
	 * @param path the request path that started it, e.g. {@code /$import}
	 */
	public static <T> T recording(Caller caller, String requestId, String correlationId, String operation, String path, Supplier<T> work) {
		RequestAudit audit = new RequestAudit(Instant.now(), requestId, correlationId, null, null, "POST", path, null);
		audit.interaction = "operation";
		audit.operation = operation;
		audit.caller = caller;
		audit.attachToThread();
		try {
			return work.get();
		} finally {
			RequestAudit.detach();
		}
	}
}
