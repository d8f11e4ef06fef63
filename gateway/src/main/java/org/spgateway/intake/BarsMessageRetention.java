package org.spgateway.intake;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Forgets what each BaRS message was answered once it is older than gateway.intake.bars-message-retention.
 * Those answers exist so that a resend with the same Bundle id gets the first answer back; keeping them
 * for ever would grow the table without end. A resend after that is still recognised by its referral's
 * identifier (referral_intake, kept) and answered with the first referral, storing nothing new.
 * Every instance runs it; the deletes are small batches by age, so instances do not get in each other's way.
 */
public class BarsMessageRetention implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(BarsMessageRetention.class);
	private static final int BATCH = 1000;
	private static final Duration LONGEST_WAIT = Duration.ofHours(1);
	private static final Duration SHORTEST_WAIT = Duration.ofSeconds(1);

	private final ReferralRecords records;
	private final Duration retention;
	private ScheduledExecutorService scheduler;

	public BarsMessageRetention(ReferralRecords records, Duration retention) {
		this.records = records;
		this.retention = retention;
	}

	@Override
	public synchronized void start() {
		if (retention.isZero() || retention.isNegative()) {
			log.info("BaRS message answers are kept for ever (gateway.intake.bars-message-retention=0)");
			return;
		}
		scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "bars-message-retention");
			t.setDaemon(true);
			return t;
		});
		// A quarter of the retention between runs (at least a second, at most an hour): a message is forgotten
		// at most a quarter late.
		long every = Math.min(LONGEST_WAIT.toMillis(), Math.max(SHORTEST_WAIT.toMillis(), retention.toMillis() / 4));
		scheduler.scheduleWithFixedDelay(this::forget, every, every, TimeUnit.MILLISECONDS);
	}

	private void forget() {
		try {
			int total = 0;
			int deleted;
			do {
				deleted = records.forgetMessages(retention, BATCH);
				total += deleted;
			} while (deleted == BATCH && isRunning());
			if (total > 0) {
				log.info("Forgot the answers to {} BaRS messages received more than {} ago", total, retention);
			}
		} catch (RuntimeException e) {
			// The next run tries again; nothing is lost by waiting.
			log.warn("Could not forget old BaRS message answers: {}", e.getMessage());
		}
	}

	@Override
	public synchronized void stop() {
		if (scheduler != null) {
			scheduler.shutdownNow();
			scheduler = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return scheduler != null;
	}
}
