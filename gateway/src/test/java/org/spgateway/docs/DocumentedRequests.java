package org.spgateway.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the requests a Markdown document shows, so a test can send them as written. A request is a
 * fenced code block that starts with {@code curl} or with a request line ({@code GET /fhir/...},
 * {@code POST [base]/...}) followed by optional headers, a blank line and a body. Its answer is the next
 * block when that starts with a status line ({@code HTTP/1.1 201}, the body after a blank line or in the
 * {@code json} block after it) or is a {@code json} block. A block with several request lines and no
 * body is several requests without answers.
 *
 * <p>Writers mark what cannot run with an HTML comment right before the block, invisible on the page:
 * {@code <!-- docs-test: skip, needs a receiver -->}. Requests with a body abridged by an ellipsis or a
 * path with a placeholder ({@code [id]}) are skipped on their own, with the reason.
 */
final class DocumentedRequests {

	private static final Pattern TOKEN_VARIABLE = Pattern.compile("([A-Z_]+)=\\$\\(curl .*-u ([\\w-]+):.*");
	private static final Pattern FENCE = Pattern.compile("^\\s*```(\\S*)\\s*$");
	private static final Pattern REQUEST_LINE = Pattern.compile("^(GET|POST|PUT|PATCH|DELETE) ((?:/fhir|\\[base\\])\\S*)(?: HTTP/1\\.1)?(?:\\s+.*)?$");
	private static final Pattern STATUS_LINE = Pattern.compile("^HTTP/1\\.1 (\\d{3}).*$");
	private static final Pattern INLINE_STATUS = Pattern.compile("^(?:HTTP/1\\.1 )?(\\d{3})(?: [A-Z][A-Za-z ]*)?(?:\\s*\\(.*\\))?$");
	private static final Pattern HEADER = Pattern.compile("^([A-Za-z][A-Za-z0-9-]*):\\s*(.*)$");
	private static final Pattern MARKER = Pattern.compile("<!--\\s*docs-test:\\s*skip,?\\s*(.*?)\\s*-->");
	private static final Pattern B64_VARIABLE = Pattern.compile("^(\\w+)=\\$\\(b64 '(.*)'\\)$");

	private final Path root;

	DocumentedRequests(Path root) {
		this.root = root;
	}

	/** A code block and the skip marker before it, if any. */
	private record Block(int line, String language, String text, String skipReason, boolean follows) {
		String firstLine() {
			return text.strip().lines().findFirst().orElse("");
		}
	}

	List<DocumentedRequest> in(String document) {
		List<Block> blocks = blocks(read(document));
		List<DocumentedRequest> requests = new ArrayList<>();
		for (int i = 0; i < blocks.size(); i++) {
			Block block = blocks.get(i);
			String first = block.firstLine();
			List<DocumentedRequest> found;
			if (first.startsWith("curl ")) {
				found = List.of(curl(document, block));
			} else if (REQUEST_LINE.matcher(first).matches()) {
				found = http(document, block);
			} else {
				continue;
			}
			DocumentedAnswer answer = found.size() == 1 && found.get(0).answer() == null ? answer(blocks, i + 1) : null;
			for (DocumentedRequest r : found) {
				DocumentedRequest withAnswer = new DocumentedRequest(r.document(), r.line(), r.method(), r.path(), r.headers(), r.body(),
						r.answer() != null ? r.answer() : answer, r.skip());
				requests.add(block.skipReason() != null ? withAnswer.skipped(block.skipReason()) : withAnswer);
			}
		}
		return requests;
	}

	/** Shell variables the document builds with {@code NAME=$(b64 '...')}, base64-encoded as the shell would. */
	Map<String, String> variables(String document) {
		Map<String, String> variables = new LinkedHashMap<>();
		for (Block block : blocks(read(document))) {
			for (String line : block.text().lines().toList()) {
				Matcher m = B64_VARIABLE.matcher(line.strip());
				if (m.matches()) {
					variables.put(m.group(1), Base64.getEncoder().encodeToString(m.group(2).getBytes(StandardCharsets.UTF_8)));
				}
			}
		}
		return variables;
	}

	/**
	 * Access tokens the document fetches into shell variables, {@code NAME=$(curl ... -u client:secret ...)}: the
	 * variable's name and the client whose token it holds.
	 */
	Map<String, String> tokens(String document) {
		Map<String, String> tokens = new LinkedHashMap<>();
		for (Block block : blocks(read(document))) {
			for (String line : block.text().lines().toList()) {
				Matcher m = TOKEN_VARIABLE.matcher(line.strip());
				if (m.matches()) {
					tokens.put(m.group(1), m.group(2));
				}
			}
		}
		return tokens;
	}

	String read(String document) {
		try {
			return Files.readString(root.resolve(document));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static List<Block> blocks(String markdown) {
		List<Block> blocks = new ArrayList<>();
		List<String> lines = markdown.lines().toList();
		int since = 0;
		for (int i = 0; i < lines.size(); i++) {
			Matcher open = FENCE.matcher(lines.get(i));
			if (!open.matches()) {
				continue;
			}
			int indent = lines.get(i).indexOf('`');
			StringBuilder text = new StringBuilder();
			int j = i + 1;
			while (j < lines.size() && !FENCE.matcher(lines.get(j)).matches()) {
				String line = lines.get(j);
				text.append(line.length() >= indent && line.substring(0, indent).isBlank() ? line.substring(indent) : line.strip()).append('\n');
				j++;
			}
			Matcher marker = MARKER.matcher(String.join("\n", lines.subList(since, i)));
			String skip = null;
			while (marker.find()) {
				skip = marker.group(1).isEmpty() ? "marked skip" : marker.group(1);
			}
			boolean follows = !blocks.isEmpty() && String.join("", lines.subList(since, i)).isBlank();
			blocks.add(new Block(i + 1, open.group(1), text.toString(), skip, follows));
			since = j + 1;
			i = j;
		}
		return blocks;
	}

	private static List<DocumentedRequest> http(String document, Block block) {
		List<String> lines = block.text().strip().lines().toList();
		boolean onlyRequestLines = lines.stream().allMatch(l -> l.isBlank() || REQUEST_LINE.matcher(l.strip()).matches());
		List<DocumentedRequest> requests = new ArrayList<>();
		if (onlyRequestLines && lines.size() > 1) {
			for (String l : lines) {
				if (!l.isBlank()) {
					Matcher m = REQUEST_LINE.matcher(l.strip());
					m.matches();
					requests.add(request(document, block.line(), m.group(1), m.group(2), new LinkedHashMap<>(), null));
				}
			}
			return requests;
		}
		Matcher m = REQUEST_LINE.matcher(lines.get(0).strip());
		m.matches();
		Map<String, String> headers = new LinkedHashMap<>();
		int i = 1;
		for (; i < lines.size() && !lines.get(i).isBlank(); i++) {
			Matcher h = HEADER.matcher(lines.get(i));
			if (h.matches()) {
				headers.put(h.group(1), h.group(2).strip());
			}
		}
		List<String> rest = i < lines.size() ? lines.subList(i, lines.size()) : List.of();
		DocumentedAnswer inline = null;
		for (int a = 0; a < rest.size(); a++) {
			Matcher status = INLINE_STATUS.matcher(rest.get(a).strip());
			if (status.matches()) {
				// The answer written in the same block, after the request: "201 Created" or "HTTP/1.1 422".
				inline = inlineAnswer(Integer.valueOf(status.group(1)), rest.subList(a + 1, rest.size()));
				rest = rest.subList(0, a);
				break;
			}
		}
		String body = String.join("\n", rest).strip();
		DocumentedRequest r = request(document, block.line(), m.group(1), m.group(2), headers, body.isEmpty() ? null : body);
		return List.of(new DocumentedRequest(r.document(), r.line(), r.method(), r.path(), r.headers(), r.body(), inline, r.skip()));
	}

	private DocumentedRequest curl(String document, Block block) {
		List<String> args = shellWords(block.text().replace("\\\n", " "));
		String method = null;
		String url = null;
		String body = null;
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < args.size(); i++) {
			String a = args.get(i);
			switch (a) {
				case "-X" -> method = args.get(++i);
				case "-H" -> {
					Matcher h = HEADER.matcher(args.get(++i));
					if (h.matches()) {
						headers.put(h.group(1), h.group(2).strip());
					}
				}
				case "-d", "--data", "--data-binary" -> {
					// curl joins several -d with '&' (a form).
					String data = args.get(++i);
					String part = data.startsWith("@") ? read(data.substring(1)) : data;
					body = body == null ? part : body + "&" + part;
				}
				case "-u" -> headers.put("Authorization",
						"Basic " + Base64.getEncoder().encodeToString(args.get(++i).getBytes(StandardCharsets.UTF_8)));
				case "-D", "-o" -> i++;
				default -> {
					if (a.startsWith("http")) {
						url = a;
					}
				}
			}
		}
		if (url == null) {
			throw new IllegalStateException(document + ":" + block.line() + ": a curl command without a URL");
		}
		if (body != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
			headers.put("Content-Type", "application/x-www-form-urlencoded");
		}
		String path = url.replaceFirst("^https?://[^/]+", "");
		return request(document, block.line(), method == null ? (body == null ? "GET" : "POST") : method, path, headers, body);
	}

	private static DocumentedRequest request(String document, int line, String method, String path, Map<String, String> headers,
			String body) {
		String fhirPath = path.replace("[base]", "/fhir");
		DocumentedRequest r = new DocumentedRequest(document, line, method, fhirPath, headers, body, null, null);
		if (fhirPath.contains("[") || fhirPath.contains("{")) {
			return r.skipped("a placeholder in the path");
		}
		if (body != null && body.contains("…")) {
			return r.skipped("an abridged body");
		}
		return r;
	}

	private static DocumentedAnswer inlineAnswer(int status, List<String> lines) {
		Map<String, String> headers = new LinkedHashMap<>();
		int i = 0;
		for (; i < lines.size(); i++) {
			Matcher h = HEADER.matcher(lines.get(i));
			if (!h.matches()) {
				break;
			}
			headers.put(h.group(1), h.group(2).strip());
		}
		String body = String.join("\n", lines.subList(i, lines.size())).strip();
		return new DocumentedAnswer(status, headers, body.isEmpty() ? null : body);
	}

	private static DocumentedAnswer answer(List<Block> blocks, int index) {
		if (index >= blocks.size() || !blocks.get(index).follows()) {
			return null;
		}
		Block block = blocks.get(index);
		Matcher status = STATUS_LINE.matcher(block.firstLine());
		if (status.matches()) {
			List<String> lines = block.text().strip().lines().toList();
			Map<String, String> headers = new LinkedHashMap<>();
			int i = 1;
			for (; i < lines.size() && !lines.get(i).isBlank(); i++) {
				Matcher h = HEADER.matcher(lines.get(i));
				if (h.matches()) {
					headers.put(h.group(1), h.group(2).strip());
				} else {
					break;
				}
			}
			String body = i < lines.size() ? String.join("\n", lines.subList(i, lines.size())).strip() : "";
			if (body.isEmpty() && index + 1 < blocks.size() && blocks.get(index + 1).follows() && blocks.get(index + 1).language().equals("json")) {
				body = blocks.get(index + 1).text();
			}
			return new DocumentedAnswer(Integer.valueOf(status.group(1)), headers, body.isEmpty() ? null : body);
		}
		if (block.language().equals("json") && block.firstLine().startsWith("{")) {
			return new DocumentedAnswer(null, Map.of(), block.text());
		}
		return null;
	}

	/** Words as a POSIX shell splits them: single and double quotes, and backslash escapes outside them. */
	static List<String> shellWords(String line) {
		List<String> words = new ArrayList<>();
		StringBuilder word = null;
		char quote = 0;
		for (int i = 0; i < line.length(); i++) {
			char c = line.charAt(i);
			if (quote != 0) {
				if (c == quote) {
					quote = 0;
				} else if (quote == '"' && c == '\\' && i + 1 < line.length()) {
					word.append(line.charAt(++i));
				} else {
					word.append(c);
				}
			} else if (Character.isWhitespace(c)) {
				if (word != null) {
					words.add(word.toString());
					word = null;
				}
			} else {
				if (word == null) {
					word = new StringBuilder();
				}
				if (c == '\'' || c == '"') {
					quote = c;
				} else if (c == '\\' && i + 1 < line.length()) {
					word.append(line.charAt(++i));
				} else {
					word.append(c);
				}
			}
		}
		if (word != null) {
			words.add(word.toString());
		}
		return words;
	}
}
