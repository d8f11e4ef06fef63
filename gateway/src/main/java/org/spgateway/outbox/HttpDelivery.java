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
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.security.OutboundRefusals;

/**
 * One HTTP attempt of an outbox message. Success is any 2xx answer; redirects are not followed (a
 * receiver that moved updates its registration, and credentials must not follow a redirect
 * elsewhere). The response body is read and dropped; only its status and Retry-After matter.
 *
 * <p>The receiver's host is checked against {@link OutboundAddressRules} before every attempt, as DNS
 * may have changed since the address was registered. The HTTP client resolves the name again to
 * connect; both lookups go through the JVM's address cache (30 s by default), so they see the same
 * answer unless the cache entry expires between them.
 *
 * <p>Errors are recorded on the receiver's resource (Subscription.error, Communication.statusReason),
 * which its registrant reads: they name a class of reason (address refused, connection failed,
 * timeout, TLS, HTTP status) and never the socket's own message, which would let a caller tell open,
 * closed and non-TLS ports apart. The socket detail goes to the debug log for operators.
 */
public class HttpDelivery {

	private static final Logger log = LoggerFactory.getLogger(HttpDelivery.class);

	public static final String REQUEST_ID = "X-Request-Id";
	public static final String CORRELATION_ID = "X-Correlation-Id";

	private final HttpClient client;
	private final Duration requestTimeout;
	private final String userAgent;
	private final OutboundAddressRules addresses;

	public HttpDelivery(Duration connectTimeout, Duration requestTimeout, String userAgent, OutboundAddressRules addresses) {
		this.client = HttpClient.newBuilder()
				.connectTimeout(connectTimeout)
				.followRedirects(HttpClient.Redirect.NEVER)
				// HTTP/1.1 is what every webhook receiver speaks; no h2c upgrade dance on plain http.
				.version(HttpClient.Version.HTTP_1_1)
				.build();
		this.requestTimeout = requestTimeout;
		this.userAgent = userAgent;
		this.addresses = addresses;
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
		String target = message.method() + " " + describe(uri);
		OutboundAddressRules.Verdict verdict = addresses.check(uri);
		if (!verdict.allowed()) {
			return failed(target, OutboundRefusals.atDelivery(verdict));
		}
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
		HttpResponse<Void> response;
		try {
			response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
		} catch (HttpConnectTimeoutException e) {
			return failed(target, "connection timed out", e);
		} catch (HttpTimeoutException e) {
			return failed(target, "timeout: no answer within " + requestTimeout.toSeconds() + " s", e);
		} catch (ConnectException e) {
			return failed(target, "connection failed", e);
		} catch (IOException e) {
			return failed(target, tls(e) ? "TLS failed (no secure connection could be set up)" : "connection failed", e);
		}
		int status = response.statusCode();
		if (status >= 200 && status < 300) {
			return new Result(true, status, null, null);
		}
		String note = status >= 300 && status < 400 ? " (redirects are not followed; register the new address)" : "";
		return new Result(false, status, "Could not deliver " + target + ": HTTP " + status + note, retryAfter(response));
	}

	private static Result failed(String target, String reason) {
		return new Result(false, null, "Could not deliver " + target + ": " + reason, null);
	}

	private static Result failed(String target, String reason, IOException e) {
		log.debug("Outbox: {} failed: {}", target, e.toString());
		return failed(target, reason);
	}

	/** Whether the connection failed in the TLS layer (handshake, certificate, a plain-http port); the client may wrap it. */
	private static boolean tls(Throwable e) {
		for (Throwable t = e; t != null; t = t.getCause()) {
			if (t instanceof SSLException) {
				return true;
			}
		}
		return false;
	}

	/** Scheme, host, port and path: never the query string, which may carry a receiver's secrets. */
	static String describe(URI uri) {
		return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "") + (uri.getRawPath() == null ? "" : uri.getRawPath());
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
