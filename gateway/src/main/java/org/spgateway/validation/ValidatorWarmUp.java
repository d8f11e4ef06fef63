package org.spgateway.validation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.conformance.LoadedResource;
import org.springframework.context.SmartLifecycle;

/**
 * Checks the conformance resources and warms the validator while the rest of start-up runs, and holds the
 * web server back until both are done.
 *
 * <p>Every conformance resource and example must validate (a broken one stops start-up, naming its file),
 * and the validator must be warm for the first request: several times slower until the JIT has compiled
 * it. Both used to run on the main thread before the embedded database, Flyway, the directory and Tomcat
 * started, 1.5 and 5 s of a 15.5 s start on a quiet 2-core machine. They now run beside all that:
 * {@link #awaitChecked()} lets what stores the conformance resources wait for the check (a broken file is
 * never stored), and {@link #start()} runs just before the web server's lifecycle and waits for the
 * warm-up, so the first request still meets a warm validator.
 *
 * <p>The warm-up validates the samples pass after pass and ends when passes stop getting faster (the JIT
 * has done what it will do for this work), or at the configured limit. On a 2-core machine one thread
 * warms (borrowing each pooled validator in turn) so that the rest of start-up keeps a core.
 */
public class ValidatorWarmUp implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ValidatorWarmUp.class);

	/** Spring Boot starts the web server at {@code DEFAULT_PHASE - 2048}; this runs before it. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
	/** Passes in a row that must fail to beat the fastest by this much before the validator counts as warm. */
	static final int PASSES_WITHOUT_GAIN = 3;
	static final double GAIN = 0.05;

	private final Duration limit;
	private final int threads;
	private final CountDownLatch checked = new CountDownLatch(1);
	private final CountDownLatch finished = new CountDownLatch(1);
	private final AtomicInteger validations = new AtomicInteger();
	private volatile RuntimeException failure;
	private volatile boolean begun;
	private volatile boolean running;

	ValidatorWarmUp(Duration limit, int threads) {
		this.limit = limit;
		this.threads = threads;
	}

	/** How many threads warm: one per core but one, so that start-up keeps a core; at most one per pooled validator. */
	static int threadsFor(int poolSize) {
		return Math.max(1, Math.min(poolSize, Runtime.getRuntime().availableProcessors() - 1));
	}

	/**
	 * Conformance checks that passed before: the same resources checked by the same build need not be checked again
	 * ({@link StoredConformanceChecks}).
	 */
	interface PassedChecks {

		/** These checks by this build, or null when they cannot be told from another build's (then they are always made). */
		String fingerprint(List<LoadedResource> checks);

		boolean passed(String fingerprint);

		void record(String fingerprint);

		PassedChecks NONE = new PassedChecks() {
			public String fingerprint(List<LoadedResource> checks) {
				return null;
			}

			public boolean passed(String fingerprint) {
				return false;
			}

			public void record(String fingerprint) {}
		};
	}

	/**
	 * Starts checking {@code checks} (unless {@code passed} holds them as passed before) and then warming on {@code samples}
	 * in the background; called as soon as the validator exists.
	 */
	void begin(ResourceValidator validator, List<LoadedResource> checks, List<Resource> samples, PassedChecks passed) {
		begun = true;
		daemon("validator-warm-up", () -> {
			try {
				long started = System.nanoTime();
				String fingerprint = passed.fingerprint(checks);
				if (fingerprint != null && passed.passed(fingerprint)) {
					log.info("Conformance resources unchanged since this build checked them: {} not checked again ({} ms)", checks.size(),
							(System.nanoTime() - started) / 1_000_000);
				} else {
					check(validator, checks);
					if (fingerprint != null) {
						passed.record(fingerprint);
					}
					log.info("Conformance resources valid: {} checked in {} ms, beside the rest of start-up", checks.size(),
							(System.nanoTime() - started) / 1_000_000);
				}
			} catch (RuntimeException e) {
				failure = e;
				finished.countDown();
				return;
			} finally {
				checked.countDown();
			}
			warm(validator, samples);
			finished.countDown();
		}).start();
	}

	private static void check(ResourceValidator validator, List<LoadedResource> checks) {
		for (LoadedResource loaded : checks) {
			if (loaded.resource() instanceof StructureDefinition) {
				// Compiled by ProfileCompiler; the instance validator would try to rebuild them from the network.
				continue;
			}
			ValidationReport report = validator.validate(loaded.resource(), null);
			if (report.hasErrors()) {
				throw new ConformanceException(loaded.source(), "is not valid: " + report.errors().stream()
						.map(i -> (i.expression() == null ? "" : i.expression() + ": ") + i.diagnostics())
						.reduce((a, b) -> a + "; " + b).orElse(""));
			}
		}
	}

	private void warm(ResourceValidator validator, List<Resource> samples) {
		if (samples.isEmpty() || limit.isZero() || limit.isNegative()) {
			return;
		}
		long started = System.nanoTime();
		long deadline = started + limit.toNanos();
		List<Thread> workers = new ArrayList<>();
		AtomicInteger warmedOut = new AtomicInteger();
		for (int t = 0; t < threads; t++) {
			workers.add(daemon("validator-warm-up-" + t, () -> {
				long fastest = Long.MAX_VALUE;
				int withoutGain = 0;
				while (System.nanoTime() < deadline && withoutGain < PASSES_WITHOUT_GAIN) {
					long pass = System.nanoTime();
					for (int i = 0; i < samples.size() && System.nanoTime() < deadline; i++) {
						validator.validate(samples.get(i), null);
						validations.incrementAndGet();
					}
					pass = System.nanoTime() - pass;
					withoutGain = pass < fastest * (1 - GAIN) ? 0 : withoutGain + 1;
					fastest = Math.min(fastest, pass);
				}
				if (withoutGain >= PASSES_WITHOUT_GAIN) {
					warmedOut.incrementAndGet();
				}
			}));
		}
		workers.forEach(Thread::start);
		for (Thread worker : workers) {
			try {
				worker.join();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
		log.info("Validator warm: {} validations on {} thread(s) in {} ms, {}", validations.get(), threads,
				(System.nanoTime() - started) / 1_000_000,
				warmedOut.get() == threads ? "when passes stopped getting faster" : "at the warm-up limit of " + limit.toMillis() + " ms");
	}

	private static Thread daemon(String name, Runnable work) {
		Thread thread = new Thread(work, name);
		thread.setDaemon(true);
		return thread;
	}

	/** Waits until every conformance resource is checked; throws the first problem found, naming its file. */
	public void awaitChecked() {
		await(checked);
		if (failure != null) {
			throw failure;
		}
	}

	/** Waits for the check and the warm-up, so that Tomcat opens only to a warm validator. */
	@Override
	public void start() {
		long waiting = System.nanoTime();
		await(finished);
		if (failure != null) {
			throw failure;
		}
		long waited = (System.nanoTime() - waiting) / 1_000_000;
		if (waited > 0) {
			log.info("Start-up waited {} ms for the validator's warm-up", waited);
		}
		running = true;
	}

	private void await(CountDownLatch latch) {
		if (!begun) {
			throw new IllegalStateException("The validator's warm-up was never started");
		}
		try {
			latch.await();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
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
