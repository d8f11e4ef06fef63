package org.spgateway.audit;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.spgateway.security.Caller;

/**
 * What the audit trail learns about one FHIR request while it runs: opened by {@link AuditFilter} before any
 * other filter can refuse the request, filled in by HAPI ({@link AuditInterceptor}), the resource store
 * ({@link AuditChangeRecorder}) and the security filters, and turned into an AuditEvent when the answer
 * has gone out.
 *
 * <p>Security filters that refuse a request before HAPI runs (401, 403) call {@link #identify} when they
 * know the client and {@link #refused} with the reason in plain words (never a token or a payload
 * value); the status itself is read from the response.
 */
public final class RequestAudit {

	private static final String ATTRIBUTE = RequestAudit.class.getName();
	private static final ThreadLocal<RequestAudit> CURRENT = new ThreadLocal<>();

	/** A resource version the request stored, and the patient it is about (null when none or unknown). */
	public record Touched(String reference, String patient) {}

	final Instant recorded;
	final String requestId;
	final String correlationId;
	final String clientAddress;
	final String serverAddress;
	final String httpMethod;
	final String path;
	final String query;
	volatile String interaction;
	volatile String operation;
	volatile String resourceType;
	volatile String resourceId;
	volatile String versionId;
	volatile Caller caller;
	volatile String outcomeDescription;
	private final List<Touched> touched = new ArrayList<>();
	private final Set<String> patients = new LinkedHashSet<>();
	private int receipted;

	RequestAudit(Instant recorded, String requestId, String correlationId, String clientAddress, String serverAddress, String httpMethod,
			String path, String query) {
		this.recorded = recorded;
		this.requestId = requestId;
		this.correlationId = correlationId;
		this.clientAddress = clientAddress;
		this.serverAddress = serverAddress;
		this.httpMethod = httpMethod;
		this.path = path;
		this.query = query;
	}

	/** The audit of a request, or null when the request is not audited (outside /fhir, or audit off). */
	public static RequestAudit of(ServletRequest request) {
		Object audit = request == null ? null : request.getAttribute(ATTRIBUTE);
		return audit instanceof RequestAudit a ? a : null;
	}

	/** Names the authenticated client of a request, for a refusal made before HAPI runs (e.g. 403 for a missing scope). */
	public static void identify(HttpServletRequest request, Caller caller) {
		RequestAudit audit = of(request);
		if (audit != null) {
			audit.caller = caller;
		}
	}

	/** Says why a request was refused, in plain words without values from the request (e.g. "the access token has expired"). */
	public static void refused(HttpServletRequest request, String reason) {
		RequestAudit audit = of(request);
		if (audit != null) {
			audit.outcomeDescription = reason;
		}
	}

	/** The audit of the request this thread is serving, or null (background work). */
	static RequestAudit current() {
		return CURRENT.get();
	}

	void attach(HttpServletRequest request) {
		request.setAttribute(ATTRIBUTE, this);
		CURRENT.set(this);
	}

	static void detach() {
		CURRENT.remove();
	}

	/** Makes this the audit of the work this thread does next, for work done on a request's behalf after it was answered. */
	void attachToThread() {
		CURRENT.set(this);
	}

	synchronized void touched(String reference, String patient) {
		touched.add(new Touched(reference, patient));
	}

	synchronized void patient(String patientId) {
		if (patientId != null) {
			patients.add(patientId);
		}
	}

	synchronized int touchedCount() {
		return touched.size();
	}

	/** Forgets what a rolled-back transaction stored: it never happened. */
	synchronized void rollBackTo(int count) {
		while (touched.size() > count) {
			touched.remove(touched.size() - 1);
		}
		receipted = Math.min(receipted, count);
	}

	/** What was stored since the last receipt, now to be written in one; marks it receipted. */
	synchronized List<Touched> takeUnreceipted() {
		List<Touched> next = List.copyOf(touched.subList(receipted, touched.size()));
		receipted = touched.size();
		return next;
	}

	synchronized boolean anyReceipted() {
		return receipted > 0;
	}

	synchronized boolean allReceipted() {
		return receipted == touched.size();
	}


	synchronized Set<String> patients() {
		return Set.copyOf(patients);
	}


}
