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
import org.spgateway.fhir.Outcomes;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds what a request may make the gateway hold or parse: body size (413), and, before any FHIR
 * parser sees the body, JSON/XML nesting depth, Bundle entry count and Bundles nested in Bundles
 * (422). Answers with an OperationOutcome, never an error page.
 */
public class RequestLimitsFilter extends OncePerRequestFilter {

	private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");
	private static final JsonFactory JSON = JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(10_000).build())
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
		String problem = structureProblem(body, request.getContentType());
		if (problem != null) {
			ErrorResponses.write(fhirContext, request, response, 422,
					Outcomes.single(IssueSeverity.ERROR, IssueType.TOOCOSTLY, problem, null));
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

	/** A plain-words description of the first limit the body breaks, or null. Malformed bodies pass: the parser reports them. */
	String structureProblem(byte[] body, String contentType) {
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

	private String jsonProblem(byte[] body) throws IOException {
		int depth = 0;
		int entries = 0;
		// Per open object: is it a Bundle? Per open array: is it the top-level Bundle's "entry"?
		Deque<Boolean> bundles = new ArrayDeque<>();
		int bundleDepth = 0;
		String field = null;
		boolean inTopEntries = false;
		try (JsonParser parser = JSON.createParser(body)) {
			JsonToken token;
			while ((token = parser.nextToken()) != null) {
				switch (token) {
					case START_OBJECT, START_ARRAY -> {
						depth++;
						if (depth > limits.getMaxNestingDepth()) {
							return "The body nests deeper than the " + limits.getMaxNestingDepth() + " levels this gateway accepts";
						}
						if (token == JsonToken.START_ARRAY && depth == 2 && "entry".equals(field)) {
							inTopEntries = true;
						} else if (token == JsonToken.START_OBJECT && depth == 3 && inTopEntries) {
							entries++;
							if (entries > limits.getMaxBundleEntries()) {
								return "The Bundle has more than the " + limits.getMaxBundleEntries() + " entries this gateway accepts in one request";
							}
						}
						if (token == JsonToken.START_OBJECT) {
							bundles.push(false);
						}
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
					}
					case FIELD_NAME -> field = parser.currentName();
					case VALUE_STRING -> {
						if ("resourceType".equals(field) && "Bundle".equals(parser.getText()) && !bundles.isEmpty() && !bundles.peek()) {
							bundles.pop();
							bundles.push(true);
							bundleDepth++;
							if (bundleDepth > limits.getMaxBundleNesting()) {
								return "Bundles are nested " + bundleDepth + " deep; this gateway accepts at most " + limits.getMaxBundleNesting();
							}
						}
					}
					default -> {}
				}
			}
		}
		return null;
	}

	private String xmlProblem(byte[] body) throws XMLStreamException {
		XMLInputFactory factory = XMLInputFactory.newFactory();
		factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
		XMLStreamReader reader = factory.createXMLStreamReader(new ByteArrayInputStream(body));
		int depth = 0;
		int entries = 0;
		Deque<Boolean> bundles = new ArrayDeque<>();
		int bundleDepth = 0;
		try {
			while (reader.hasNext()) {
				int event = reader.next();
				if (event == XMLStreamReader.START_ELEMENT) {
					depth++;
					if (depth > limits.getMaxNestingDepth()) {
						return "The body nests deeper than the " + limits.getMaxNestingDepth() + " levels this gateway accepts";
					}
					boolean bundle = "Bundle".equals(reader.getLocalName());
					bundles.push(bundle);
					if (bundle && ++bundleDepth > limits.getMaxBundleNesting()) {
						return "Bundles are nested " + bundleDepth + " deep; this gateway accepts at most " + limits.getMaxBundleNesting();
					}
					if (depth == 2 && "entry".equals(reader.getLocalName()) && ++entries > limits.getMaxBundleEntries()) {
						return "The Bundle has more than the " + limits.getMaxBundleEntries() + " entries this gateway accepts in one request";
					}
				} else if (event == XMLStreamReader.END_ELEMENT) {
					depth--;
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
