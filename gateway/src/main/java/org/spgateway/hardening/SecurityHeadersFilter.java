package org.spgateway.hardening;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts {@link SecurityHeaders} on every response the application makes, FHIR or not, errors included (it also
 * runs on the error dispatch, after Tomcat has reset the response), and keeps version banners off it (HAPI's
 * {@code X-Powered-By}). An HTML page is held until it is complete, so that its Content-Security-Policy can
 * name its own inline scripts ({@link HtmlContentSecurity}); no API response is ever held.
 */
public class SecurityHeadersFilter extends OncePerRequestFilter {

	@Override
	protected boolean shouldNotFilterErrorDispatch() {
		return false;
	}

	@Override
	protected boolean shouldNotFilterAsyncDispatch() {
		return false;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		filter(request, response, chain);
	}

	@Override
	protected void doFilterNestedErrorDispatch(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		filter(request, response, chain);
	}

	private static void filter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		String cacheControl = request.getDispatcherType() == DispatcherType.ERROR ? CachePolicy.NO_STORE
				: CachePolicy.cacheControl(request.getMethod(), path, request.getQueryString());
		GuardedResponse guarded = new GuardedResponse(response, cacheControl);
		SecurityHeaders.apply(response, cacheControl);
		chain.doFilter(request, guarded);
		guarded.finish();
	}

	/** The response with banners dropped, the headers kept through a reset, and an HTML body held until complete. */
	private static final class GuardedResponse extends HttpServletResponseWrapper {

		private final String cacheControl;
		private ByteArrayOutputStream html;
		private ServletOutputStream htmlStream;
		private PrintWriter htmlWriter;

		GuardedResponse(HttpServletResponse response, String cacheControl) {
			super(response);
			this.cacheControl = cacheControl;
		}

		@Override
		public void setHeader(String name, String value) {
			if (allowed(name)) {
				super.setHeader(name, value);
			}
		}

		/**
		 * The single-valued headers this filter sets are replaced, never repeated: HAPI's exception handling saves a response's
		 * headers, resets it (which puts ours back, see {@link #reset}) and adds the saved ones again, which gave an error
		 * answered by the FHIR server X-Frame-Options, X-Content-Type-Options and Referrer-Policy twice.
		 */
		@Override
		public void addHeader(String name, String value) {
			if (SecurityHeaders.SINGLE.contains(name.toLowerCase(Locale.ROOT))) {
				super.setHeader(name, value);
			} else if (allowed(name)) {
				super.addHeader(name, value);
			}
		}

		/** Banners never; the cache policy and content policy are this filter's, whatever a library would set. */
		private static boolean allowed(String name) {
			String lower = name.toLowerCase(Locale.ROOT);
			return !SecurityHeaders.BANNERS.contains(lower) && !lower.equals("cache-control") && !lower.equals("content-security-policy");
		}

		/** An error or a redirect is never cached, whatever the path would allow. */
		@Override
		public void setStatus(int status) {
			super.setStatus(status);
			if (status >= 300 && status != 304) {
				((HttpServletResponse) getResponse()).setHeader("Cache-Control", CachePolicy.NO_STORE);
			}
		}

		@Override
		public void sendError(int status, String message) throws IOException {
			((HttpServletResponse) getResponse()).setHeader("Cache-Control", CachePolicy.NO_STORE);
			super.sendError(status, message);
		}

		@Override
		public void sendError(int status) throws IOException {
			((HttpServletResponse) getResponse()).setHeader("Cache-Control", CachePolicy.NO_STORE);
			super.sendError(status);
		}

		@Override
		public void reset() {
			super.reset();
			discardHtml();
			SecurityHeaders.apply((HttpServletResponse) getResponse(), cacheControl);
		}

		@Override
		public void resetBuffer() {
			super.resetBuffer();
			if (html != null) {
				html.reset();
			}
		}

		@Override
		public ServletOutputStream getOutputStream() throws IOException {
			if (!isHtml()) {
				return super.getOutputStream();
			}
			if (htmlStream == null) {
				html = html != null ? html : new ByteArrayOutputStream();
				htmlStream = new BufferStream(html);
			}
			return htmlStream;
		}

		@Override
		public PrintWriter getWriter() throws IOException {
			if (!isHtml()) {
				return super.getWriter();
			}
			if (htmlWriter == null) {
				html = html != null ? html : new ByteArrayOutputStream();
				htmlWriter = new PrintWriter(new OutputStreamWriter(html, charset()));
			}
			return htmlWriter;
		}

		@Override
		public void flushBuffer() throws IOException {
			if (html == null) {
				super.flushBuffer();
			}
		}

		@Override
		public void setContentLength(int length) {
			if (!isHtml()) {
				super.setContentLength(length);
			}
		}

		@Override
		public void setContentLengthLong(long length) {
			if (!isHtml()) {
				super.setContentLengthLong(length);
			}
		}

		private boolean isHtml() {
			return html != null || getContentType() != null && getContentType().toLowerCase(Locale.ROOT).startsWith("text/html");
		}

		private Charset charset() {
			try {
				return Charset.forName(getCharacterEncoding());
			} catch (RuntimeException unknown) {
				return StandardCharsets.UTF_8;
			}
		}

		private void discardHtml() {
			html = null;
			htmlStream = null;
			htmlWriter = null;
		}

		/** Writes a held HTML page with the policy naming its inline scripts. */
		void finish() throws IOException {
			if (html == null) {
				return;
			}
			if (htmlWriter != null) {
				htmlWriter.flush();
			}
			byte[] body = html.toByteArray();
			HttpServletResponse response = (HttpServletResponse) getResponse();
			if (!response.isCommitted()) {
				response.setHeader("Content-Security-Policy", HtmlContentSecurity.policyFor(new String(body, charset())));
				response.setContentLength(body.length);
			}
			response.getOutputStream().write(body);
			discardHtml();
		}
	}

	private static final class BufferStream extends ServletOutputStream {

		private final ByteArrayOutputStream buffer;

		BufferStream(ByteArrayOutputStream buffer) {
			this.buffer = buffer;
		}

		@Override
		public void write(int b) {
			buffer.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) {
			buffer.write(b, off, len);
		}

		@Override
		public boolean isReady() {
			return true;
		}

		@Override
		public void setWriteListener(WriteListener listener) {
			throw new IllegalStateException("An HTML page is written synchronously");
		}
	}
}
