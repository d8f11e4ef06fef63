package org.spgateway.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** Raw HTTP for what a FHIR client will not send: malformed bodies, odd headers, exact status codes. */
public final class Http {

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private Http() {}

	/**
	 * Sends a request. One to a running test gateway that names no Authorization of its own carries the gateway's
	 * default token ({@link GatewayServer#defaultAuthorization()}), so tests that are not about authentication need
	 * not think about it.
	 */
	public static HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return CLIENT.send(withDefaultAuthorization(request.timeout(Duration.ofSeconds(60)).build()), HttpResponse.BodyHandlers.ofString());
		} catch (IOException e) {
			throw new IllegalStateException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	/** The request as given, or a copy carrying its gateway's default Authorization (see {@link #send}). */
	public static HttpRequest withDefaultAuthorization(HttpRequest request) {
		GatewayServer gateway = GatewayServer.onPort(request.uri().getPort());
		if (gateway == null || request.headers().firstValue("Authorization").isPresent() || request.uri().getPath().startsWith("/oauth2/")) {
			return request;
		}
		HttpRequest.Builder copy = HttpRequest.newBuilder(request, (name, value) -> true);
		String[] headers = gateway.defaultAuthorization();
		for (int i = 0; i < headers.length; i += 2) {
			copy.header(headers[i], headers[i + 1]);
		}
		return copy.build();
	}

	/** The Authorization header value a test gateway's helpers send by default, for tests that build requests themselves. */
	public static String[] defaultAuthorization(int port) {
		GatewayServer gateway = GatewayServer.onPort(port);
		return gateway == null ? new String[0] : gateway.defaultAuthorization();
	}

	public static HttpResponse<String> get(String url, String... headers) {
		HttpRequest.Builder b = HttpRequest.newBuilder(uri(url)).GET();
		for (int i = 0; i < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		return send(b);
	}

	public static HttpResponse<String> post(String url, String body, String... headers) {
		return send(withBody("POST", url, body, headers));
	}

	public static HttpResponse<String> put(String url, String body, String... headers) {
		return send(withBody("PUT", url, body, headers));
	}

	public static HttpResponse<String> patch(String url, String body, String contentType, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "Content-Type";
		all[1] = contentType;
		System.arraycopy(headers, 0, all, 2, headers.length);
		return send(withBody("PATCH", url, body, all));
	}

	public static HttpResponse<String> delete(String url, String... headers) {
		HttpRequest.Builder b = HttpRequest.newBuilder(uri(url)).DELETE();
		for (int i = 0; i < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		return send(b);
	}

	/** Any method, with an optional body (a FHIR JSON Content-Type unless the headers name one). */
	public static HttpResponse<String> request(String method, String url, String body, String... headers) {
		if (body == null) {
			HttpRequest.Builder b = HttpRequest.newBuilder(uri(url)).method(method, HttpRequest.BodyPublishers.noBody());
			for (int i = 0; i < headers.length; i += 2) {
				b.header(headers[i], headers[i + 1]);
			}
			return send(b);
		}
		return send(withBody(method, url, body, headers));
	}

	/**
	 * FHIR URLs as people write them ({@code identifier=system|value}); java.net.URI refuses a bare
	 * {@code |}, which every FHIR client sends encoded.
	 */
	public static URI uri(String url) {
		return URI.create(url.replace("|", "%7C").replace(" ", "%20"));
	}

	/**
	 * Bytes on a socket, for requests no HTTP client library will send (illegal characters in the
	 * request line); returns the whole answer, status line and headers included.
	 */
	public static String raw(int port, String request) {
		String[] headers = defaultAuthorization(port);
		if (headers.length > 0 && !request.toLowerCase().contains("\r\nauthorization:") && request.contains("\r\n")) {
			StringBuilder extra = new StringBuilder();
			for (int i = 0; i < headers.length; i += 2) {
				extra.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
			}
			int lineEnd = request.indexOf("\r\n") + 2;
			request = request.substring(0, lineEnd) + extra + request.substring(lineEnd);
		}
		try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
			socket.getOutputStream().flush();
			return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	/** A resource as FHIR JSON, the way a client would send it. */
	public static String json(IBaseResource resource) {
		return GatewayServer.fhirContext().newJsonParser().encodeResourceToString(resource);
	}

	private static HttpRequest.Builder withBody(String method, String url, String body, String... headers) {
		HttpRequest.Builder b = HttpRequest.newBuilder(uri(url)).method(method, HttpRequest.BodyPublishers.ofString(body));
		boolean contentType = false;
		for (int i = 0; i < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
			contentType |= headers[i].equalsIgnoreCase("Content-Type");
		}
		if (!contentType) {
			b.header("Content-Type", "application/fhir+json");
		}
		return b;
	}

	public static <T extends IBaseResource> T parse(HttpResponse<String> response, Class<T> type) {
		return GatewayServer.fhirContext().newJsonParser().parseResource(type, response.body());
	}
}
