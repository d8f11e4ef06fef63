package org.spgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleLinkComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;

/**
 * Paging keeps no state in the server: a next link written by one gateway gives the right page from a
 * second gateway on the same database, and from the first one after it has been restarted.
 */
class StatelessPagingIT {

	private static final String S = "https://example.org/paging-it";

	static GatewayServer first;
	static GatewayServer second;

	@AfterAll
	static void stop() {
		if (second != null) {
			second.stop();
		}
		if (first != null) {
			first.stop();
		}
	}

	private static List<String> ids(Bundle page) {
		return page.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
	}

	private static Bundle get(String url) {
		return Http.parse(Http.get(url), Bundle.class);
	}

	private static String next(Bundle page) {
		BundleLinkComponent next = page.getLink("next");
		return next == null ? null : next.getUrl();
	}

	@Test
	void nextLinksSurviveARestartAndWorkOnASecondInstance() {
		first = GatewayServer.start();
		second = GatewayServer.startOn(first.jdbcUrl());
		String run = UUID.randomUUID().toString();
		// Written through both instances: each hands out primary keys from its own block.
		for (int i = 0; i < 8; i++) {
			GatewayServer via = i % 2 == 0 ? first : second;
			String body = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + S + "\",\"value\":\"" + run + "-" + i
					+ "\"}],\"name\":[{\"family\":\"Page\"}]}";
			assertThat(Http.post(via.baseUrl() + "/Patient", body).statusCode()).isEqualTo(201);
		}
		List<String> sorts = List.of("", "&_sort=-_lastUpdated");
		List<List<String>> expected = new ArrayList<>();
		List<List<String>> walked = new ArrayList<>();
		List<String> thirdPages = new ArrayList<>();
		for (String sort : sorts) {
			List<String> all = ids(get(first.baseUrl() + "/Patient?identifier=" + S + "|&_count=100" + sort));
			assertThat(all).hasSize(8);
			expected.add(all);
			Bundle page1 = get(first.baseUrl() + "/Patient?identifier=" + S + "|&_count=3" + sort);
			Bundle page2 = get(second.onThisServer(next(page1)));
			assertThat(next(page2)).startsWith(second.baseUrl());
			List<String> pages = new ArrayList<>(ids(page1));
			pages.addAll(ids(page2));
			walked.add(pages);
			thirdPages.add(next(page2));
		}

		first.restart();

		for (int i = 0; i < sorts.size(); i++) {
			Bundle page3 = get(first.onThisServer(thirdPages.get(i)));
			walked.get(i).addAll(ids(page3));
			assertThat(walked.get(i)).as("pages for sort '%s'", sorts.get(i)).containsExactlyElementsOf(expected.get(i));
			assertThat(next(page3)).isNull();
			assertThat(page3.getLink("previous")).isNotNull();
		}
	}
}
