package org.spgateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Each client has its own bucket: one over its limit is answered 429 with Retry-After and an OperationOutcome,
 * while another client goes on being served. Clients are told apart by the client id authentication puts on the
 * request (simulated here by a test filter standing where the authentication filter will), else by address.
 */
class RateLimitIT {

	private static GatewayServer gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayServer.startWith(new Class<?>[] {TestAuthentication.class}, "gateway.sandbox=true",
				"gateway.limits.rate.requests-per-second=1", "gateway.limits.rate.burst=5",
				"gateway.limits.rate.clients.national-hub.burst=30");
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void aClientOverItsLimitIsToldToWaitAndAnotherClientIsNotAffected() {
		List<HttpResponse<String>> answers = new ArrayList<>();
		for (int i = 0; i < 9; i++) {
			answers.add(Http.get(gateway.baseUrl() + "/metadata", "X-Test-Client", "busy-gp"));
		}
		long served = answers.stream().filter(a -> a.statusCode() == 200).count();
		// Five at once, and at most one more per second while the nine are sent.
		assertThat(served).isBetween(5L, 7L);
		HttpResponse<String> refused = answers.get(answers.size() - 1);
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).contains("1");
		OperationOutcome outcome = Http.parse(refused, OperationOutcome.class);
		assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(IssueType.THROTTLED);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("Too many requests").contains("1 requests per second");
		assertThat(refused.headers().firstValue("X-Request-Id")).isPresent();
		SecurityHeadersIT.assertSecurityHeaders(refused, "no-store");

		HttpResponse<String> other = Http.get(gateway.baseUrl() + "/metadata", "X-Test-Client", "quiet-provider");
		assertThat(other.statusCode()).isEqualTo(200);
	}

	@Test
	void aClientWithItsOwnLimitGetsIt() {
		long served = 0;
		for (int i = 0; i < 20; i++) {
			served += Http.get(gateway.baseUrl() + "/metadata", "X-Test-Client", "national-hub").statusCode() == 200 ? 1 : 0;
		}
		assertThat(served).isEqualTo(20);
	}

	@Test
	void withoutAClientIdEachAddressHasItsOwnLimit() {
		int refusedFromFirst = 0;
		for (int i = 0; i < 9; i++) {
			refusedFromFirst += statusFrom("127.0.0.2") == 429 ? 1 : 0;
		}
		assertThat(refusedFromFirst).isGreaterThanOrEqualTo(2);
		assertThat(statusFrom("127.0.0.2")).isEqualTo(429);
		assertThat(statusFrom("127.0.0.3")).isEqualTo(200);
	}

	/** A request sent from a given loopback address (every 127.x address is this machine). */
	private static int statusFrom(String address) {
		try (Socket socket = new Socket()) {
			socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()), 10_000);
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write(("GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.ISO_8859_1));
			String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			return Integer.parseInt(answer.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Stands where the authentication filter will: it names the caller's client id on the request. */
	@Configuration(proxyBeanMethods = false)
	static class TestAuthentication {

		@Bean
		FilterRegistrationBean<OncePerRequestFilter> testClientId() {
			FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
				@Override
				protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
						throws ServletException, IOException {
					if (request.getHeader("X-Test-Client") != null) {
						request.setAttribute(ClientIdentity.CLIENT_ID_ATTRIBUTE, request.getHeader("X-Test-Client"));
					}
					chain.doFilter(request, response);
				}
			});
			registration.setOrder(HardeningConfig.RATE_LIMIT_ORDER - 10);
			registration.addUrlPatterns("/fhir/*");
			return registration;
		}
	}
}
