package org.spgateway.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.util.UrlUtil;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.spgateway.config.GatewayProperties;
import org.spgateway.fhir.Decimals;
import org.spgateway.fhir.Outcomes;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds what a request may make the gateway hold or parse: body size (413), and, before any FHIR
 * parser sees the body, JSON/XML nesting depth, Bundle entry count, Bundles nested in Bundles and
 * decimals too long to expand (422). Answers with an OperationOutcome, never an error page.
 */
public class RequestLimitsFilter extends OncePerRequestFilter {

	private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");
	private static final JsonFactory JSON = JsonFactory.builder()
			// Numbers of any length reach this filter's own decimal check, which names the element, instead of Jackson's error.
			.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(10_000).maxNumberLength(Integer.MAX_VALUE).build())
			.build();

	private final FhirContext fhirContext;
	private final GatewayProperties.Limits limits;

	public RequestLimitsFilter(FhirContext fhirContext, GatewayProperties.Limits limits) {
		this.fhirContext = fhirContext;
		this.limits = limits;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !WITH_BODY.contains(request.getMethod());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long declared = request.getContentLengthLong();
		if (declared > limits.getMaxBodyBytes()) {
			tooLarge(request, response);
			return;
		}
		byte[] body = readBounded(request.getInputStream(), limits.getMaxBodyBytes());
		if (body == null) {
			tooLarge(request, response);
			return;
		}
		if (isForm(request)) {
			// A search by POST ([type]/_search): the container would parse the form from the body this filter
			// has consumed, so the wrapper answers the parameters itself.
			chain.doFilter(new CachedBodyRequest(request, body, formParameters(request, body)), response);
			return;
		}
		Problem problem = structureProblem(body, request.getContentType());
		if (problem != null) {
			ErrorResponses.write(fhirContext, request, response, problem.status(),
					Outcomes.single(IssueSeverity.ERROR, problem.type(), problem.text(), problem.expression()));
			return;
		}
		chain.doFilter(new CachedBodyRequest(request, body, null), response);
	}

	private static boolean isForm(HttpServletRequest request) {
		String contentType = request.getContentType();
		return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
	}

	/** The query string's parameters followed by the form body's. */
	private static Map<String, String[]> formParameters(HttpServletRequest request, byte[] body) {
		Map<String, String[]> parameters = new LinkedHashMap<>(request.getParameterMap());
		String encoding = request.getCharacterEncoding() == null ? StandardCharsets.UTF_8.name() : request.getCharacterEncoding();
		String form = new String(body, java.nio.charset.Charset.forName(encoding));
		UrlUtil.parseQueryString(form).forEach((name, values) -> parameters.merge(name, values, (a, b) -> {
			String[] both = Arrays.copyOf(a, a.length + b.length);
			System.arraycopy(b, 0, both, a.length, b.length);
			return both;
		}));
		return Collections.unmodifiableMap(parameters);
	}

	private void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
		OperationOutcome outcome = Outcomes.single(IssueSeverity.ERROR, IssueType.TOOLONG,
				"The request body is larger than the " + limits.getMaxBodyBytes() + " bytes this gateway accepts", null);
		ErrorResponses.write(fhirContext, request, response, 413, outcome);
	}

	private static byte[] readBounded(InputStream in, long max) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		long total = 0;
		int n;
		while ((n = in.read(buffer)) != -1) {
			total += n;
			if (total > max) {
				return null;
			}
			out.write(buffer, 0, n);
		}
		return out.toByteArray();
	}

	/** The first limit a body breaks, in plain words, with the element where one is known. */
	record Problem(int status, IssueType type, String text, String expression) {

		static Problem tooCostly(String text) {
			return new Problem(422, IssueType.TOOCOSTLY, text, null);
		}

		static Problem decimal(String expression) {
			return new Problem(422, IssueType.VALUE, "The number " + (expression == null ? "" : "at " + expression + " ")
					+ "would have more than " + Decimals.MAX_DIGITS + " digits written out, more than this gateway holds", expression);
		}

		static Problem character(String what, String expression) {
			return new Problem(400, IssueType.INVALID, "The text " + (expression == null ? "" : "at " + expression + " ") + "contains " + what
					+ ", which FHIR strings may not contain", expression);
		}

		static Problem encoding(String charset) {
			return new Problem(400, IssueType.INVALID, "The body is not valid " + charset + ": send text encoded as declared in"
					+ " Content-Type (UTF-8 if none is declared)", null);
		}
	}

	/** The first limit the body breaks, or null. Malformed bodies pass: the parser reports them. */
	Problem structureProblem(byte[] body, String contentType) {
		Charset charset = declaredCharset(contentType);
		if (!decodes(body, charset)) {
			// The parsers would read undecodable bytes as U+FFFD and store that in place of what was sent.
			return Problem.encoding(charset.name());
		}
		boolean xml = contentType != null && contentType.contains("xml") && !contentType.contains(Constants.CT_JSON_PATCH);
		if (!xml && body.length > 0 && firstNonSpace(body) == '<') {
			xml = true;
		}
		try {
			return xml ? xmlProblem(body) : jsonProblem(body);
		} catch (IOException | XMLStreamException | RuntimeException e) {
			return null;
		}
	}

	private static Charset declaredCharset(String contentType) {
		try {
			String declared = contentType == null ? null : MediaType.parseMediaType(contentType).getParameter("charset");
			return declared == null ? StandardCharsets.UTF_8 : Charset.forName(declared.replace("\"", ""));
		} catch (IllegalArgumentException e) {
			return StandardCharsets.UTF_8;
		}
	}

	private static boolean decodes(byte[] body, Charset charset) {
		try {
			charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(ByteBuffer.wrap(body));
			return true;
		} catch (CharacterCodingException e) {
			return false;
		}
	}

	/**
	 * What in {@code text} a FHIR string may not hold, or null: control characters other than tab, CR and LF
	 * (PostgreSQL cannot store U+0000 at all), and halves of a surrogate pair without the other half (which
	 * would be stored as '?').
	 */
	static String badCharacter(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 && c != '\t' && c != '\r' && c != '\n') {
				return String.format("the control character U+%04X", (int) c);
			}
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			} else if (Character.isSurrogate(c)) {
				return String.format("an unpaired surrogate U+%04X (not a character)", (int) c);
			}
		}
		return null;
	}

	private Problem jsonProblem(byte[] body) throws IOException {
		int depth = 0;
		int entries = 0;
		// Per open object: is it a Bundle? Per open array: is it the top-level Bundle's "entry"?
		Deque<Boolean> bundles = new ArrayDeque<>();
		int bundleDepth = 0;
		String field = null;
		boolean inTopEntries = false;
		JsonPath path = new JsonPath();
		try (JsonParser parser = JSON.createParser(body)) {
			JsonToken token;
			while ((token = parser.nextToken()) != null) {
				switch (token) {
					case START_OBJECT, START_ARRAY -> {
						depth++;
						if (depth > limits.getMaxNestingDepth()) {
							return Problem.tooCostly("The body nests deeper than the " + limits.getMaxNestingDepth() + " levels this gateway accepts");
						}
						if (token == JsonToken.START_ARRAY && depth == 2 && "entry".equals(field)) {
							inTopEntries = true;
						} else if (token == JsonToken.START_OBJECT && depth == 3 && inTopEntries) {
							entries++;
							if (entries > limits.getMaxBundleEntries()) {
								return Problem.tooCostly("The Bundle has more than the " + limits.getMaxBundleEntries()
										+ " entries this gateway accepts in one request");
							}
						}
						if (token == JsonToken.START_OBJECT) {
							bundles.push(false);
						}
						path.open(field, token == JsonToken.START_ARRAY);
						field = null;
					}
					case END_OBJECT, END_ARRAY -> {
						if (token == JsonToken.END_ARRAY && depth == 2) {
							inTopEntries = false;
						}
						if (token == JsonToken.END_OBJECT && !bundles.isEmpty() && bundles.pop()) {
							bundleDepth--;
						}
						depth--;
						path.close();
					}
					case FIELD_NAME -> field = parser.currentName();
					case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
						// The token's text, as sent: asking Jackson for the number would expand it.
						if (Decimals.tooLong(parser.getText())) {
							return Problem.decimal(path.expression(field));
						}
						path.value();
					}
					case VALUE_STRING -> {
						String text = parser.getText();
						String bad = badCharacter(text);
						if (bad != null) {
							return Problem.character(bad, path.expression(field));
						}
						if ("resourceType".equals(field)) {
							path.typed(text);
						}
						if ("resourceType".equals(field) && "Bundle".equals(text) && !bundles.isEmpty() && !bundles.peek()) {
							bundles.pop();
							bundles.push(true);
							bundleDepth++;
							if (bundleDepth > limits.getMaxBundleNesting()) {
								return Problem.tooCostly("Bundles are nested " + bundleDepth + " deep; this gateway accepts at most "
										+ limits.getMaxBundleNesting());
							}
						}
						// HAPI reads a decimal sent as a JSON string too, expanding it before anything can refuse it.
						if (Decimals.tooLong(text)) {
							return Problem.decimal(path.expression(field));
						}
						path.value();
					}
					default -> path.value();
				}
			}
		}
		return null;
	}

	/** Where the parser is in a JSON body, as a FHIRPath-like expression ({@code Bundle.entry[0].resource.valueQuantity.value}). */
	private static final class JsonPath {

		/** One open object or array: the label it goes by, and for an array how many items came before. */
		private static final class Frame {
			final String label;
			final boolean array;
			String type;
			int items;

			Frame(String label, boolean array) {
				this.label = label;
				this.array = array;
			}
		}

		private final Deque<Frame> frames = new ArrayDeque<>();

		void open(String field, boolean array) {
			frames.push(new Frame(label(field), array));
		}

		void close() {
			frames.pop();
			value();
		}

		/** A value ended: the next item of an enclosing array gets the next index. */
		void value() {
			if (!frames.isEmpty() && frames.peek().array) {
				frames.peek().items++;
			}
		}

		void typed(String resourceType) {
			if (!frames.isEmpty()) {
				frames.peek().type = resourceType;
			}
		}

		private String label(String field) {
			Frame parent = frames.peek();
			if (parent != null && parent.array) {
				return parent.label + "[" + parent.items + "]";
			}
			return field;
		}

		String expression(String field) {
			if (!frames.isEmpty() && frames.peekLast().array) {
				// A JSON Patch (an array of operations) is not a resource: no FHIRPath names a place in it.
				return null;
			}
			StringBuilder out = new StringBuilder();
			var outermostFirst = frames.descendingIterator();
			while (outermostFirst.hasNext()) {
				Frame frame = outermostFirst.next();
				if (frame.array) {
					continue;
				}
				if (frame.label == null) {
					out.append(frame.type == null ? "" : frame.type);
				} else {
					out.append(out.isEmpty() ? "" : ".").append(frame.label);
				}
			}
			String last = label(field);
			if (last != null) {
				out.append(out.isEmpty() ? "" : ".").append(last);
			}
			return out.isEmpty() ? null : out.toString();
		}
	}

	private Problem xmlProblem(byte[] body) throws XMLStreamException {
		XMLInputFactory factory = XMLInputFactory.newFactory();
		factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
		XMLStreamReader reader = factory.createXMLStreamReader(new ByteArrayInputStream(body));
		int depth = 0;
		int entries = 0;
		Deque<Boolean> bundles = new ArrayDeque<>();
		Deque<String> elements = new ArrayDeque<>();
		int bundleDepth = 0;
		try {
			while (reader.hasNext()) {
				int event = reader.next();
				if (event == XMLStreamReader.START_ELEMENT) {
					depth++;
					if (depth > limits.getMaxNestingDepth()) {
						return Problem.tooCostly("The body nests deeper than the " + limits.getMaxNestingDepth() + " levels this gateway accepts");
					}
					boolean bundle = "Bundle".equals(reader.getLocalName());
					bundles.push(bundle);
					if (bundle && ++bundleDepth > limits.getMaxBundleNesting()) {
						return Problem.tooCostly("Bundles are nested " + bundleDepth + " deep; this gateway accepts at most "
								+ limits.getMaxBundleNesting());
					}
					if (depth == 2 && "entry".equals(reader.getLocalName()) && ++entries > limits.getMaxBundleEntries()) {
						return Problem.tooCostly("The Bundle has more than the " + limits.getMaxBundleEntries()
								+ " entries this gateway accepts in one request");
					}
					elements.addLast(reader.getLocalName());
					// Every XML primitive is a value attribute; one that is a decimal too long to expand is refused, whatever its element.
					if (Decimals.tooLong(reader.getAttributeValue(null, "value"))) {
						return Problem.decimal(String.join(".", elements));
					}
				} else if (event == XMLStreamReader.END_ELEMENT) {
					depth--;
					elements.pollLast();
					if (!bundles.isEmpty() && bundles.pop()) {
						bundleDepth--;
					}
				}
			}
		} finally {
			reader.close();
		}
		return null;
	}

	private static int firstNonSpace(byte[] body) {
		for (byte b : body) {
			if (!Character.isWhitespace(b)) {
				return b;
			}
		}
		return -1;
	}

	/** The request with its body already read, replayable for HAPI. */
	private static final class CachedBodyRequest extends HttpServletRequestWrapper {

		private final byte[] body;
		/** For a form post, every parameter (query string and body); otherwise null: the container's. */
		private final Map<String, String[]> parameters;

		CachedBodyRequest(HttpServletRequest request, byte[] body, Map<String, String[]> parameters) {
			super(request);
			this.body = body;
			this.parameters = parameters;
		}

		@Override
		public Map<String, String[]> getParameterMap() {
			return parameters == null ? super.getParameterMap() : parameters;
		}

		@Override
		public String getParameter(String name) {
			if (parameters == null) {
				return super.getParameter(name);
			}
			String[] values = parameters.get(name);
			return values == null || values.length == 0 ? null : values[0];
		}

		@Override
		public String[] getParameterValues(String name) {
			return parameters == null ? super.getParameterValues(name) : parameters.get(name);
		}

		@Override
		public java.util.Enumeration<String> getParameterNames() {
			return parameters == null ? super.getParameterNames() : Collections.enumeration(parameters.keySet());
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(body);
			return new ServletInputStream() {
				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException("Asynchronous reads are not used");
				}

				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] b, int off, int len) {
					return in.read(b, off, len);
				}
			};
		}

		@Override
		public BufferedReader getReader() {
			String encoding = getCharacterEncoding() == null ? StandardCharsets.UTF_8.name() : getCharacterEncoding();
			return new BufferedReader(new InputStreamReader(getInputStream(), java.nio.charset.Charset.forName(encoding)));
		}

		@Override
		public int getContentLength() {
			return body.length;
		}

		@Override
		public long getContentLengthLong() {
			return body.length;
		}
	}
}
