package org.spgateway.docs;

import java.util.Map;

/**
 * The answer a document shows for a request.
 *
 * @param status the status line's code, or null when the document shows only a body
 * @param headers the headers shown
 * @param body the body shown (may be abridged with an ellipsis), or null
 */
record DocumentedAnswer(Integer status, Map<String, String> headers, String body) {}
