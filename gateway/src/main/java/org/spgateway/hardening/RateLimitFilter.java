package org.spgateway.hardening;

import ca.uhn.fhir.context.FhirContext;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.fhir.Outcomes;
import org.spgateway.server.ErrorResponses;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Per-client rate limits: a token bucket per client (Bucket4j), refilled at the client's sustained rate and
 * holding its burst. A request finding the bucket empty is answered 429 with {@code Retry-After} (whole
 * seconds until a token is back) and an OperationOutcome, before the FHIR server parses anything. Buckets live in
 * this instance's memory: behind a load balancer each instance grants the limit.
 */
public class RateLimitFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);
	/** A bucket unused this long is full again anyway, so it is dropped. */
	private static final Duration IDLE = Duration.ofMinutes(10);
	/** Bounds memory when requests come from very many addresses; a dropped bucket starts full. */
	private static final long MAX_CLIENTS = 100_000;

	private final FhirContext fhirContext;
	private final RateLimitProperties properties;
	private final ClientIdentity identity;
	private final Cache<String, Bucket> buckets = Caffeine.newBuilder().expireAfterAccess(IDLE).maximumSize(MAX_CLIENTS).build();
	/** Clients whose refusal was logged in the last minute: one line per client and minute, not one per request. */
	private final Cache<String, Boolean> logged = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).maximumSize(1000).build();

	public RateLimitFilter(FhirContext fhirContext, RateLimitProperties properties, ClientIdentity identity) {
		this.fhirContext = fhirContext;
		this.properties = properties;
		this.identity = identity;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String clientId = identity.clientIdOf(request);
		String key = clientId != null ? "client " + clientId : "address " + request.getRemoteAddr();
		ConsumptionProbe probe = buckets.get(key, k -> newBucket(clientId)).tryConsumeAndReturnRemaining(1);
		if (probe.isConsumed()) {
			chain.doFilter(request, response);
			return;
		}
		long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + TimeUnit.SECONDS.toNanos(1) - 1));
		if (logged.asMap().putIfAbsent(key, Boolean.TRUE) == null) {
			// The address is the caller's, not a payload value; it is what an operator needs to find the client.
			log.warn("Rate limit reached by {} ({} requests per second allowed); its requests are refused with 429 until it slows down",
					key, limitFor(clientId).requestsPerSecond());
		}
		response.setHeader("Retry-After", Long.toString(seconds));
		ErrorResponses.write(fhirContext, request, response, 429, Outcomes.single(IssueSeverity.ERROR, IssueType.THROTTLED,
				"Too many requests from this client: the gateway takes " + limitFor(clientId).requestsPerSecond()
						+ " requests per second from each client. Nothing was done; send it again in " + seconds + " s", null));
	}

	private Bucket newBucket(String clientId) {
		Limit limit = limitFor(clientId);
		return Bucket.builder()
				.addLimit(l -> l.capacity(limit.burst()).refillGreedy(limit.requestsPerSecond(), Duration.ofSeconds(1)))
				.build();
	}

	private Limit limitFor(String clientId) {
		RateLimitProperties.ClientLimit own = clientId == null ? null : properties.getClients().get(clientId);
		int rate = own != null && own.getRequestsPerSecond() != null ? own.getRequestsPerSecond() : properties.getRequestsPerSecond();
		int burst = own != null && own.getBurst() != null ? own.getBurst() : properties.getBurst();
		return new Limit(rate, Math.max(burst, 1));
	}

	private record Limit(int requestsPerSecond, int burst) {}
}
