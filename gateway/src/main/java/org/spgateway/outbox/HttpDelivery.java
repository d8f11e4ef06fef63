package org.spgateway.outbox;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * One HTTP attempt of an outbox message. Success is any 2xx answer; redirects are not followed (a
 * receiver that moved updates its registration, and credentials must not follow a redirect
 * elsewhere). The response body is read and dropped; only its status and Retry-After matter.
 */
public class HttpDelivery {

	public static final String REQUEST_ID = "X-Request-Id";
	public static final String CORRELATION_ID = "X-Correlation-Id";

	private final HttpClient client;
	private final Duration requestTimeout;
	private final String userAgent;

	public HttpDelivery(Duration connectTimeout, Duration requestTimeout, String userAgent) {
		this.client = HttpClient.newBuilder()
				.connectTimeout(connectTimeout)
				.followRedirects(HttpClient.Redirect.NEVER)
				// HTTP/1.1 is what every webhook receiver speaks; no h2c upgrade dance on plain http.
				.version(HttpClient.Version.HTTP_1_1)
				.build();
		this.requestTimeout = requestTimeout;
		this.userAgent = userAgent;
	}

	/**
	 * The outcome of one attempt.
	 *
	 * @param status the HTTP status, null when there was no answer
	 * @param error what went wrong, in words for the Subscription's owner and the logs; null on success
	 * @param retryAfter the receiver's Retry-After, if it sent one
	 */
	public record Result(boolean delivered, Integer status, String error, Duration retryAfter) {}

	/** Sends a message with a fresh request id; throws InterruptedException only when the instance is stopping. */
	public Result send(OutboxStore.Claimed message, String requestId) throws InterruptedException {
		URI uri = URI.create(message.url());
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(requestTimeout);
		for (OutboundMessage.Header header : message.headers()) {
			request.header(header.name(), header.value());
		}
		request.setHeader("User-Agent", userAgent);
		request.setHeader(REQUEST_ID, requestId);
		request.setHeader(CORRELATION_ID, message.correlationId());
		if (message.body() != null) {
			request.setHeader("Content-Type", message.contentType());
			request.method(message.method(), HttpRequest.BodyPublishers.ofString(message.body(), StandardCharsets.UTF_8));
		} else {
			request.method(message.method(), HttpRequest.BodyPublishers.noBody());
		}
		String target = message.method() + " " + describe(uri);
		HttpResponse<Void> response;
		try {
			response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
		} catch (HttpConnectTimeoutException e) {
			return new Result(false, null, "Could not connect for " + target + ": timed out", null);
		} catch (HttpTimeoutException e) {
			return new Result(false, null, "No answer to " + target + " within " + requestTimeout.toSeconds() + " s", null);
		} catch (ConnectException e) {
			return new Result(false, null, "Could not connect for " + target + ": " + reason(e, "connection refused"), null);
		} catch (IOException e) {
			return new Result(false, null, target + " failed: " + reason(e, e.getClass().getSimpleName()), null);
		}
		int status = response.statusCode();
		if (status >= 200 && status < 300) {
			return new Result(true, status, null, null);
		}
		String note = status >= 300 && status < 400 ? " (redirects are not followed; register the new address)" : "";
		return new Result(false, status, "HTTP " + status + " from " + target + note, retryAfter(response));
	}

	/** Scheme, host, port and path: never the query string, which may carry a receiver's secrets. */
	static String describe(URI uri) {
		return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "") + (uri.getRawPath() == null ? "" : uri.getRawPath());
	}

	private static String reason(Exception e, String fallback) {
		String message = e.getMessage();
		return message == null || message.isBlank() ? fallback : message;
	}

	private static Duration retryAfter(HttpResponse<?> response) {
		Optional<String> value = response.headers().firstValue("Retry-After");
		if (value.isEmpty()) {
			return null;
		}
		String v = value.get().trim();
		try {
			return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
		} catch (NumberFormatException notSeconds) {
			try {
				Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
				return d.isNegative() ? Duration.ZERO : d;
			} catch (RuntimeException notADate) {
				return null;
			}
		}
	}
}
