package org.spgateway.feedback;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.List;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.spgateway.outbox.Outbox;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.security.RequestGate;
import org.spgateway.server.SystemProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** {@code POST [base]/Endpoint/[id]/$redrive}: deliver the feedback a referrer's Endpoint has kept since delivery gave up. */
public class FeedbackOperations implements SystemProvider {

	private final ResourceService resources;
	private final Outbox outbox;
	private final FeedbackChannels channels;
	private final JdbcTemplate jdbc;
	private final TransactionTemplate transactions;

	FeedbackOperations(ResourceService resources, Outbox outbox, FeedbackChannels channels, JdbcTemplate jdbc, TransactionTemplate transactions) {
		this.resources = resources;
		this.outbox = outbox;
		this.channels = channels;
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	@Description(shortDefinition = "Deliver the feedback kept for a referrer's Endpoint after delivery gave up",
			value = "When delivery of feedback to a referrer's Endpoint gives up, its Communications are marked not-done with the reason and"
					+ " every later one is kept. Once the referrer's system works again, $redrive delivers them all, in order per referral,"
					+ " with a fresh give-up clock, and sets them back to in-progress. Returns how many were re-driven (count).")
	@Operation(name = "$redrive", typeName = "Endpoint", idempotent = false)
	public Parameters redrive(@IdParam IdType id, RequestDetails request) {
		AccessScope scope = RequestGate.scopeOf(request);
		resources.read("Endpoint", id.getIdPart(), scope);
		Integer count = redriveChannel(FeedbackChannels.PREFIX + id.getIdPart());
		Parameters result = new Parameters();
		result.addParameter().setName("count").setValue(new IntegerType(count == null ? 0 : count));
		return result;
	}

	/**
	 * Re-drives one feedback channel ({@code Endpoint/[id]}, or a partner's {@code Partner/[id]}, whose notifications share it): every
	 * message it kept is delivered again with a fresh give-up clock, and its kept Communications are set back to in-progress. The
	 * caller has checked who may. Returns how many messages.
	 */
	public int redriveChannel(String channel) {
		Integer count = transactions.execute(tx -> {
			List<String> kept = jdbc.queryForList("SELECT subject FROM outbox_message WHERE channel = ? AND state IN ('held', 'failed')"
					+ " AND subject LIKE 'Communication/%'", String.class, channel);
			int n = outbox.resume(channel);
			kept.forEach(subject -> channels.mark(subject, Communication.CommunicationStatus.INPROGRESS, null));
			return n;
		});
		return count == null ? 0 : count;
	}
}
