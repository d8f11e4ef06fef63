package org.spgateway.validation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Warms the validator while the rest of start-up runs, and holds the web server back until it is warm.
 *
 * <p>The warm-up (validating the conformance resources over and over on every pooled validator, so that
 * the JIT has compiled the validator before the first request) used to run on the main thread before the
 * embedded database, Flyway, the directory and Tomcat started: 5 of the 15 s to {@code Gateway ready}
 * with an existing data directory. It now starts as soon as the validator exists and overlaps all of
 * that; {@link #start()} runs just before the web server's lifecycle and waits for it, so the first
 * request still meets a warm validator.
 */
public class ValidatorWarmUp implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ValidatorWarmUp.class);

	/** Spring Boot starts the web server at {@code DEFAULT_PHASE - 2048}; this runs before it. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final Duration duration;
	private final int threads;
	private final CountDownLatch finished = new CountDownLatch(1);
	private final AtomicInteger validations = new AtomicInteger();
	private volatile boolean begun;
	private volatile boolean running;

	ValidatorWarmUp(Duration duration, int threads) {
		this.duration = duration;
		this.threads = threads;
	}

	/** Starts warming in the background; called as soon as the validator has checked the conformance resources. */
	void begin(ResourceValidator validator, List<Resource> samples) {
		begun = true;
		if (samples.isEmpty() || duration.isZero() || duration.isNegative()) {
			finished.countDown();
			return;
		}
		long started = System.nanoTime();
		long deadline = started + duration.toNanos();
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			workers.add(daemon("validator-warm-up-" + t, () -> {
				int i = 0;
				while (System.nanoTime() < deadline) {
					validator.validate(samples.get(i++ % samples.size()), null);
					validations.incrementAndGet();
				}
			}));
		}
		daemon("validator-warm-up", () -> {
			workers.forEach(Thread::start);
			for (Thread worker : workers) {
				try {
					worker.join();
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
					return;
				}
			}
			log.info("Validator warm: {} warm-up validations on {} threads in {} ms, beside the rest of start-up", validations.get(),
					threads, (System.nanoTime() - started) / 1_000_000);
			finished.countDown();
		}).start();
	}

	private static Thread daemon(String name, Runnable work) {
		Thread thread = new Thread(work, name);
		thread.setDaemon(true);
		return thread;
	}

	/** Waits for the warm-up, so that Tomcat opens only to a warm validator. */
	@Override
	public void start() {
		long waiting = System.nanoTime();
		try {
			if (!begun) {
				throw new IllegalStateException("The validator's warm-up was never started");
			}
			finished.await();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		long waited = (System.nanoTime() - waiting) / 1_000_000;
		if (waited > 0) {
			log.info("Start-up waited {} ms for the validator's warm-up", waited);
		}
		running = true;
	}

	@Override
	public void stop() {
		running = false;
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	int validations() {
		return validations.get();
	}
}
