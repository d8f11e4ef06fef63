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

	public static HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return CLIENT.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
		} catch (IOException e) {
			throw new IllegalStateException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
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
