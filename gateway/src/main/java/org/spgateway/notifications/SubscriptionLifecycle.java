package org.spgateway.notifications;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.fhir.Outcomes;
import org.spgateway.outbox.Outbox;
import org.spgateway.outbox.OutboxChannelOwner;
import org.spgateway.resources.ResourceChangeListener;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The life of a Subscription and of its outbox channel, kept in step:
 * <ul>
 * <li>every stored version is checked (whichever way it was written: create, update, patch,
 *     conditional update, transaction) and a version the gateway cannot serve is a 422 that stores
 *     nothing;</li>
 * <li>delivery giving up sets status {@code error} with the reason in {@code error}; notifications
 *     keep being collected (held);</li>
 * <li>status set back to {@code requested} or {@code active} (or {@code $redrive}) re-drives: held and
 *     failed notifications are delivered, in their original order;</li>
 * <li>a new endpoint or new headers apply to notifications already queued;</li>
 * <li>status {@code off} cancels what is queued.</li>
 * </ul>
 */
public class SubscriptionLifecycle implements ResourceChangeListener, OutboxChannelOwner {

	private static final Logger log = LoggerFactory.getLogger(SubscriptionLifecycle.class);
	private static final String TYPE = "Subscription";

	private final SubscriptionRules rules;
	private final SubscriptionRegistry registry;
	private final Outbox outbox;
	private final ResourceStore store;
	private final FhirContext fhirContext;
	private final TransactionTemplate transactions;
	/** Looked up when needed: ResourceService is built from the change listeners, this one included. */
	private final Supplier<ResourceService> resources;

	public SubscriptionLifecycle(SubscriptionRules rules, SubscriptionRegistry registry, Outbox outbox, ResourceStore store,
			FhirContext fhirContext, TransactionTemplate transactions, Supplier<ResourceService> resources) {
		this.rules = rules;
		this.registry = registry;
		this.outbox = outbox;
		this.store = store;
		this.fhirContext = fhirContext;
		this.transactions = transactions;
		this.resources = resources;
	}

	// ---------------------------------------------------------------- every stored Subscription version

	@Override
	public void onChange(StoredResource stored, Resource resource, StoredResource previous) {
		if (!TYPE.equals(stored.type())) {
			return;
		}
		Subscription subscription = (Subscription) resource;
		String channel = NotifiableSubscription.channel(stored.id());
		Subscription before = previous == null ? null : parse(previous);
		SubscriptionStatus was = before == null ? null : before.getStatus();
		SubscriptionStatus status = subscription.getStatus();
		boolean suspended = outbox.isSuspended(channel);
		boolean giveUp = status == SubscriptionStatus.ERROR && was != SubscriptionStatus.ERROR && suspended;
		if (status == SubscriptionStatus.ERROR && was != SubscriptionStatus.ERROR && !suspended) {
			throw Outcomes.unprocessable("Status 'error' is set by the gateway when delivery gives up; send requested, active or off",
					"Subscription.status");
		}
		// The gateway's own give-up record, and turning an existing Subscription off, must never be refused (say the
		// rules tightened since it was accepted). Every other version must be one the gateway can serve.
		NotifiableSubscription compiled = giveUp || (before != null && status == SubscriptionStatus.OFF)
				? rules.read(subscription, stored.id(), stored.version(), new ArrayList<>())
				: rules.check(subscription, stored.id(), stored.version());
		if (before != null && compiled != null && status != SubscriptionStatus.OFF && addressChanged(before, compiled)) {
			int moved = outbox.retarget(channel, before.getChannel().getEndpoint().trim(), compiled.endpoint(), compiled.headers());
			log.info("Subscription/{}: endpoint or headers changed; {} queued notifications follow", stored.id(), moved);
		}
		if (status == SubscriptionStatus.OFF) {
			int cancelled = outbox.cancel(channel);
			if (cancelled > 0) {
				log.info("Subscription/{} turned off: {} undelivered notifications cancelled", stored.id(), cancelled);
			}
		} else if ((status == SubscriptionStatus.ACTIVE || status == SubscriptionStatus.REQUESTED) && (was == SubscriptionStatus.ERROR || suspended)) {
			int redriven = outbox.resume(channel);
			log.info("Subscription/{} re-driven: {} notifications will be delivered in order", stored.id(), redriven);
		}
		NotifiableSubscription registered = status == SubscriptionStatus.OFF ? null : compiled;
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCommit() {
				registry.apply(stored.id(), stored.version(), registered);
			}
		});
	}

	private static boolean addressChanged(Subscription before, NotifiableSubscription now) {
		if (!before.getChannel().hasEndpoint()) {
			return false;
		}
		return !before.getChannel().getEndpoint().trim().equals(now.endpoint())
				|| !SubscriptionRules.headersOf(before.getChannel(), null).equals(now.headers());
	}

	// ---------------------------------------------------------------- delivery gave up

	@Override
	public boolean owns(String channel) {
		return channel.startsWith(NotifiableSubscription.CHANNEL_PREFIX);
	}

	/** The Subscription is locked before the outbox's rows, as in every other write of it. */
	@Override
	public void beforeGiveUp(String channel) {
		store.lockCurrent(TYPE, channel.substring(NotifiableSubscription.CHANNEL_PREFIX.length()));
	}

	/** Records the give-up on the Subscription itself, as a new version, in the outbox's transaction. */
	@Override
	public void gaveUp(String channel, String reason) {
		String id = channel.substring(NotifiableSubscription.CHANNEL_PREFIX.length());
		Optional<StoredResource> current = store.lockCurrent(TYPE, id);
		if (current.isEmpty()) {
			return;
		}
		Subscription subscription = parse(current.get());
		if (subscription.getStatus() == SubscriptionStatus.OFF || subscription.getStatus() == SubscriptionStatus.ERROR) {
			return;
		}
		subscription.setStatus(SubscriptionStatus.ERROR);
		subscription.setError(reason + ". Undelivered notifications are kept: once the receiver works again, update this Subscription"
				+ " with status 'requested' (or POST Subscription/" + id + "/$redrive) and they are delivered in order.");
		resources.get().updateNow(current.get(), subscription, null, "SYSTEM", List.of());
	}

	// ---------------------------------------------------------------- $redrive

	/**
	 * Re-drives a Subscription: if it is in error (or has notifications held back), it becomes active and
	 * everything undelivered is delivered in order. Answers the Subscription as it now is.
	 */
	public Subscription redrive(String id, AccessScope scope) {
		return transactions.execute(tx -> {
			if (store.read(TYPE, id, scope).isEmpty()) {
				throw new ResourceNotFoundException("Subscription/" + id + " is not known");
			}
			StoredResource current = store.lockCurrent(TYPE, id).orElseThrow();
			Subscription subscription = parse(current);
			if (subscription.getStatus() == SubscriptionStatus.OFF) {
				throw Outcomes.unprocessable("Subscription/" + id + " is off, so it has nothing to re-drive; update it with status"
						+ " 'requested' to turn it back on", "Subscription.status");
			}
			String channel = NotifiableSubscription.channel(id);
			if (subscription.getStatus() == SubscriptionStatus.ERROR || outbox.isSuspended(channel)) {
				subscription.setStatus(SubscriptionStatus.ACTIVE);
				subscription.setErrorElement(null);
				return (Subscription) resources.get().updateNow(current, subscription, null, "SYSTEM", List.of()).resource();
			}
			// Active and not suspended: anything undelivered is already being delivered.
			return subscription;
		});
	}

	private Subscription parse(StoredResource stored) {
		return fhirContext.newJsonParser().parseResource(Subscription.class, stored.json());
	}
}
