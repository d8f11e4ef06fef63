package org.spgateway.outbox;

import java.util.List;

/**
 * One message for the outbox: where it goes, what it carries, and how it is grouped. Producers build
 * these; the outbox stores them with the change that caused them and delivers them at least once.
 *
 * @param channel who the message is for (e.g. {@code Subscription/abc}, later {@code Endpoint/xyz}): the
 *     unit of give-up, suspension, re-drive and cancellation
 * @param orderingKey messages with the same key are delivered one at a time, in the order they were
 *     written (e.g. {@code Subscription/abc|Task/123}: in order per Task)
 * @param subject what the message is about, for operators and logs (e.g. {@code Task/123/_history/4});
 *     never patient data
 * @param method HTTP method
 * @param url absolute http(s) URL
 * @param headers the destination's own headers (e.g. Authorization); the outbox adds Content-Type,
 *     X-Request-Id, X-Correlation-Id and User-Agent itself
 * @param contentType MIME type of the body, null when there is no body
 * @param body the payload, null for none
 * @param correlationId X-Correlation-Id of the change that caused the message
 * @param stored the stored resource version whose JSON is the payload (body then null): the outbox row points at
 *     it instead of copying it; null when the body is given
 */
public record OutboundMessage(String channel, String orderingKey, String subject, String method, String url, List<Header> headers,
		String contentType, String body, String correlationId, StoredVersion stored) {

	public OutboundMessage(String channel, String orderingKey, String subject, String method, String url, List<Header> headers,
			String contentType, String body, String correlationId) {
		this(channel, orderingKey, subject, method, url, headers, contentType, body, correlationId, null);
	}

	public record Header(String name, String value) {}

	/** A version in {@code resource_version}, by the resource's key and its version number. */
	public record StoredVersion(long pk, int version) {}
}
