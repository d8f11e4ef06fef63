package org.spgateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.SharedGateway;

/**
 * Links (Location, fullUrl, paging links) name the configured public base URL, or localhost and the gateway's
 * own port, whatever Host and X-Forwarded-* headers a caller sends.
 */
class PublicBaseUrlIT {

	private static final String FORGED = "Host: evil.example.com\r\nX-Forwarded-Host: evil.example.com\r\nX-Forwarded-Proto: https\r\n"
			+ "X-Forwarded-Port: 8443\r\nX-Forwarded-Prefix: /stolen\r\nForwarded: host=evil.example.com;proto=https\r\n";

	@Test
	void linksNameTheConfiguredBaseUrlWhateverHostTheCallerSends() {
		String base = "https://gateway.example.nhs.uk/fhir";
		try (GatewayServer gateway = GatewayServer.start("gateway.public-base-url=" + base + "/")) {
			assertLinksOnly(gateway, base);
		}
	}

	@Test
	void withoutAConfiguredBaseUrlLinksNameLocalhostAndTheGatewaysPortNotTheHostHeader() {
		GatewayServer gateway = SharedGateway.get();
		assertLinksOnly(gateway, "http://localhost:" + gateway.port() + "/fhir");
	}

	private static void assertLinksOnly(GatewayServer gateway, String base) {
		String family = "Forged" + System.nanoTime();
		String body = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + family + "\"}]}";
		String created = Http.raw(gateway.port(), "POST /fhir/Patient HTTP/1.1\r\n" + FORGED + "Content-Type: application/fhir+json\r\n"
				+ "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
		assertThat(created).startsWith("HTTP/1.1 201");
		assertThat(header(created, "Location")).startsWith(base + "/Patient/");
		Http.post(gateway.baseUrl() + "/Patient", body);

		String search = Http.raw(gateway.port(), "GET /fhir/Patient?family=" + family + "&_count=1 HTTP/1.1\r\n" + FORGED
				+ "Accept: application/fhir+json\r\nConnection: close\r\n\r\n");
		assertThat(search).startsWith("HTTP/1.1 200");
		List<String> urls = urls(search.substring(search.indexOf("\r\n\r\n")));
		assertThat(urls).as("self, next and fullUrl").hasSizeGreaterThanOrEqualTo(3);
		assertThat(urls).allSatisfy(url -> assertThat(url).startsWith(base + "/").doesNotContain("evil").doesNotContain("stolen"));
		assertThat(search).doesNotContain("evil.example.com");

		String explorer = Http.raw(gateway.port(),
				"GET /fhir/swagger-ui/ HTTP/1.1\r\n" + FORGED + "Accept: text/html\r\nConnection: close\r\n\r\n");
		assertThat(explorer).startsWith("HTTP/1.1 200").contains(base).doesNotContain("evil.example.com");
	}

	private static String header(String answer, String name) {
		Matcher m = Pattern.compile("(?im)^" + name + ": ([^\r\n]*)").matcher(answer);
		return m.find() ? m.group(1) : "";
	}

	private static List<String> urls(String json) {
		List<String> found = new ArrayList<>();
		Matcher m = Pattern.compile("\"(?:url|fullUrl)\":\"([^\"]+)\"").matcher(json);
		while (m.find()) {
			found.add(m.group(1));
		}
		return found;
	}
}
