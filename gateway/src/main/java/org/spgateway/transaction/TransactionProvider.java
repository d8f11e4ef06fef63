package org.spgateway.transaction;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.Bundle;
import org.spgateway.server.SystemProvider;

/** {@code POST /fhir} with a transaction or batch Bundle. */
public class TransactionProvider implements SystemProvider {

	private final TransactionProcessor processor;

	public TransactionProvider(TransactionProcessor processor) {
		this.processor = processor;
	}

	@Transaction
	public Bundle transaction(@TransactionParam Bundle bundle, RequestDetails request) {
		// HAPI has parsed the Bundle; the raw body is validated as sent, so nothing the parser dropped goes unseen.
		String raw = new String(request.loadRequestContents(), StandardCharsets.UTF_8);
		EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
		return processor.process(bundle, raw, encoding == null ? EncodingEnum.JSON : encoding, request);
	}
}
