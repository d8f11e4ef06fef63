package org.spgateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.spgateway.testsupport.GatewayServer;
import org.spgateway.testsupport.Http;
import org.spgateway.testsupport.ReferralWork;

/**
 * Every request the documents show, sent as written (in document order, to a sandbox gateway on a fresh
 * database) and its answer compared with the one shown: the status code, the resource type, a Bundle's
 * type and an OperationOutcome's issue codes. Not byte equality: ids, times and hosts differ. Ids the
 * documents show in answers are replaced, in the requests after them, by the ids this gateway answered.
 * A request the documents mark {@code <!-- docs-test: skip, reason -->} or that cannot run as written
 * (a placeholder, an abridged body) is reported as skipped with its reason.
 */
class DocumentedRequestsIT {

	/** The documents whose requests are run, in the order a reader meets them. */
	private static final List<String> DOCUMENTS = List.of("README.md", "docs/integrating-a-gp-system.md", "docs/integrating-a-provider.md",
			"docs/api.md", "docs/referral-lifecycle.md", "docs/outcomes.md", "docs/notifications.md", "docs/mappings.md", "docs/feedback.md",
			"docs/security.md");

	private static final Pattern REFERENCE = Pattern.compile("\\b([A-Z][A-Za-z]+)/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
	private static final Pattern RESOURCE_TYPE = Pattern.compile("\"resourceType\"\\s*:\\s*\"(\\w+)\"");
	private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([\\w-]+)\"");
	private static final Pattern ISSUE_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([\\w-]+)\"");
	private static final Pattern INTERNALS = Pattern.compile("\\bjava\\.|ca\\.uhn\\.|org\\.hl7\\.fhir\\.[a-z0-9.]+\\.[A-Z]|Exception\\b|\\bSELECT\\b|\\bINSERT INTO\\b");

	private static final Path ANSWERS = Path.of("target", "documented-answers.txt");

	private static GatewayServer gateway;
	private static Path root;

	@BeforeAll
	static void start() {
		// Its own database: the documents use fixed NHS numbers and identifiers other tests may use too.
		gateway = GatewayServer.start("gateway.sandbox=true");
		root = Files.isDirectory(Path.of("docs")) ? Path.of(".") : Path.of("..");
		try {
			Files.deleteIfExists(ANSWERS);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	@AfterAll
	static void stop() {
		gateway.stop();
	}

	@TestFactory
	Stream<DynamicContainer> everyRequestInTheDocumentsGetsTheAnswerTheyShow() {
		DocumentedRequests documents = new DocumentedRequests(root);
		return DOCUMENTS.stream().map(document -> {
			Map<String, String> replacements = new LinkedHashMap<>();
			documents.variables(document).forEach((name, value) -> replacements.put("$" + name, value));
			// A token the reader fetched from the sandbox's token endpoint: the same client's token from this gateway.
			documents.tokens(document).forEach((name, client) -> replacements.put("$" + name, gateway.tokenFor(client)));
			List<DynamicTest> tests = new ArrayList<>();
			tests.add(DynamicTest.dynamicTest(document + ": set-up", () -> setUp(document, replacements)));
			for (DocumentedRequest request : documents.in(document)) {
				tests.add(DynamicTest.dynamicTest(request.label(), () -> run(request, replacements)));
			}
			return DynamicContainer.dynamicContainer(document, tests);
		});
	}

	/** What a document assumes its reader has already done, the way the reader did it. */
	private static void setUp(String document, Map<String, String> replacements) {
		if (document.equals("docs/referral-lifecycle.md")) {
			// The lifecycle's examples work the Task of a referral just made ($TASK in the document).
			replacements.put("$TASK", ReferralWork.refer(gateway, ReferralWork.sandboxService()).taskId());
		}
		if (document.equals("docs/outcomes.md")) {
			// The outcome examples are about a referral made earlier; these are the ids the document shows for it.
			ReferralWork.Referral referral = ReferralWork.refer(gateway, ReferralWork.sandboxService());
			replacements.put("c1981630-3636-4332-b21f-04dd78de0e65", referral.patientId());
			replacements.put("bbc164b6-3c8a-40c4-b622-31f1f850fbb4", referral.referralId());
		}
	}

	private static void run(DocumentedRequest request, Map<String, String> replacements) {
		assumeTrue(request.skip() == null, () -> "Not run: " + request.label() + ": " + request.skip());
		String url = "http://localhost:" + gateway.port() + replace(request.path(), replacements);
		List<String> headers = new ArrayList<>();
		request.headers().forEach((name, value) -> {
			if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Host")) {
				headers.add(name);
				headers.add(replace(value, replacements));
			}
		});
		String body = request.body() == null ? null : replace(request.body(), replacements);
		HttpResponse<String> answer = Http.request(request.method(), url, body, headers.toArray(String[]::new));
		record(request, answer);
		String where = request.label() + " answered " + answer.statusCode() + ": " + abridged(answer.body());
		assertTrue(answer.statusCode() < 500, where);
		assertTrue(!INTERNALS.matcher(answer.body()).find(), "Internals in the answer of " + where);
		DocumentedAnswer shown = request.answer();
		if (shown == null) {
			assertTrue(answer.statusCode() < 300, where);
			return;
		}
		if (shown.status() != null) {
			assertEquals(shown.status().intValue(), answer.statusCode(), where);
		} else if (shown.body() != null && shown.body().contains("\"OperationOutcome\"") && shown.body().contains("\"error\"")) {
			// An error shown without its status line: a refusal.
			assertTrue(answer.statusCode() >= 400, where);
		} else {
			assertTrue(answer.statusCode() < 300, where);
		}
		if (shown.body() != null) {
			String type = first(RESOURCE_TYPE, shown.body());
			String actualType = first(RESOURCE_TYPE, answer.body());
			if (type != null && "Bundle".equals(actualType) && !"Bundle".equals(type)) {
				// A search answer shown by one of its entries ("Bundle of 8 Observations; the first:").
				assertTrue(all(RESOURCE_TYPE, answer.body()).contains(type), "No " + type + " in the Bundle of " + where);
			} else if (type != null) {
				assertEquals(type, actualType, "Resource type of " + where);
			}
			if ("Bundle".equals(type)) {
				assertEquals(first(TYPE, shown.body()), first(TYPE, answer.body()), "Bundle type of " + where);
			}
			if ("OperationOutcome".equals(type)) {
				LinkedHashSet<String> actualCodes = all(ISSUE_CODE, answer.body());
				for (String code : all(ISSUE_CODE, shown.body())) {
					assertTrue(actualCodes.contains(code), "Issue code " + code + " missing from " + where);
				}
			}
		}
		learnIds(shown, answer, replacements);
	}

	/**
	 * Every answer, for a writer pasting real answers into the documents: target/documented-answers.txt
	 * after a run.
	 */
	private static void record(DocumentedRequest request, HttpResponse<String> answer) {
		String entry = "### " + request.label() + "\nHTTP/1.1 " + answer.statusCode() + "\n" + answer.body() + "\n\n";
		try {
			Files.writeString(ANSWERS, entry, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Pairs the ids the document shows with the ones this gateway answered, type by type in order of appearance. */
	private static void learnIds(DocumentedAnswer shown, HttpResponse<String> answer, Map<String, String> replacements) {
		StringBuilder documented = new StringBuilder();
		shown.headers().values().forEach(v -> documented.append(v).append('\n'));
		documented.append(shown.body() == null ? "" : shown.body());
		StringBuilder actual = new StringBuilder();
		answer.headers().map().forEach((k, v) -> actual.append(String.join(",", v)).append('\n'));
		actual.append(answer.body());
		Map<String, List<String>> shownIds = references(documented.toString());
		Map<String, List<String>> actualIds = references(actual.toString());
		shownIds.forEach((type, ids) -> {
			List<String> theirs = actualIds.getOrDefault(type, List.of());
			for (int i = 0; i < Math.min(ids.size(), theirs.size()); i++) {
				replacements.putIfAbsent(ids.get(i), theirs.get(i));
			}
		});
	}

	private static Map<String, List<String>> references(String text) {
		Map<String, List<String>> ids = new LinkedHashMap<>();
		Matcher m = REFERENCE.matcher(text);
		while (m.find()) {
			List<String> list = ids.computeIfAbsent(m.group(1), t -> new ArrayList<>());
			if (!list.contains(m.group(2))) {
				list.add(m.group(2));
			}
		}
		return ids;
	}

	private static String replace(String text, Map<String, String> replacements) {
		String result = text;
		for (Map.Entry<String, String> r : replacements.entrySet()) {
			result = result.replace(r.getKey(), r.getValue());
		}
		return result;
	}

	private static String first(Pattern pattern, String text) {
		Matcher m = pattern.matcher(text);
		return m.find() ? m.group(1) : null;
	}

	private static LinkedHashSet<String> all(Pattern pattern, String text) {
		LinkedHashSet<String> found = new LinkedHashSet<>();
		Matcher m = pattern.matcher(text);
		while (m.find()) {
			found.add(m.group(1));
		}
		return found;
	}

	private static String abridged(String body) {
		return body.length() > 600 ? body.substring(0, 600) + "..." : body;
	}
}
