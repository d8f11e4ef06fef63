package org.spgateway.docs;

import java.util.Map;

/**
 * One request a document shows, with the answer it shows after it (if any).
 *
 * @param document the Markdown file, relative to the repository root
 * @param line the line of the request's code block
 * @param method HTTP method
 * @param path the path and query under the gateway's host, e.g. {@code /fhir/Patient?name=x}
 * @param headers request headers as written (variables not yet replaced)
 * @param body the request body, or null
 * @param answer the documented answer, or null when the document shows none
 * @param skip why the request cannot run as written (null when it can)
 */
record DocumentedRequest(String document, int line, String method, String path, Map<String, String> headers, String body,
		DocumentedAnswer answer, String skip) {

	String label() {
		return document + ":" + line + " " + method + " " + path;
	}

	DocumentedRequest skipped(String reason) {
		return new DocumentedRequest(document, line, method, path, headers, body, answer, reason);
	}
}
