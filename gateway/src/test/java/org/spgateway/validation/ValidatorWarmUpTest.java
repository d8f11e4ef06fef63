package org.spgateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.conformance.LoadedResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The check and the warm-up run beside start-up, and the web server's turn to start waits for them to end. */
class ValidatorWarmUpTest {

	private static ResourceValidator validator;

	@BeforeAll
	static void buildTheGatewaysValidator() {
		FhirContext fhirContext = FhirContext.forR4Cached();
		GatewayValidator.Conformance conformance = GatewayValidator.conformance(fhirContext, List.of());
		validator = new ResourceValidator(fhirContext, new CachingWorkerContext(conformance.support()),
				conformance.resources().requiredProfiles(), 2);
	}

	private static List<Resource> samples() {
		return List.of(new Patient().setActive(true));
	}

	@Test
	void startingWaitsUntilTheWarmUpHasEnded() {
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ofSeconds(30), 2);
		warmUp.begin(validator, List.of(), samples(), ValidatorWarmUp.PassedChecks.NONE);
		assertThat(warmUp.isRunning()).isFalse();
		warmUp.start();
		// Ended by passes that stopped getting faster: at least the passes it took to tell.
		assertThat(warmUp.validations()).isGreaterThanOrEqualTo(ValidatorWarmUp.PASSES_WITHOUT_GAIN + 1);
		assertThat(warmUp.isRunning()).isTrue();
	}

	@Test
	void theWarmUpEndsAtItsLimitEvenIfPassesStillGetFaster() {
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ofMillis(300), 1);
		List<Resource> many = Collections.nCopies(100_000, new Patient().setActive(true));
		long begun = System.nanoTime();
		warmUp.begin(validator, List.of(), many, ValidatorWarmUp.PassedChecks.NONE);
		warmUp.start();
		assertThat(Duration.ofNanos(System.nanoTime() - begun)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(10));
		assertThat(warmUp.validations()).isPositive().isLessThan(100_000);
	}

	@Test
	void anInvalidConformanceResourceStopsStartUpNamingItsFile() {
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ofSeconds(1), 1);
		// The base specification requires a Task's status and intent.
		Task broken = new Task();
		warmUp.begin(validator, List.of(new LoadedResource("profiles/examples/broken.json", broken)), samples(),
				ValidatorWarmUp.PassedChecks.NONE);
		assertThatThrownBy(warmUp::awaitChecked).isInstanceOf(ConformanceException.class).hasMessageContaining("profiles/examples/broken.json")
				.hasMessageContaining("is not valid");
		assertThatThrownBy(warmUp::start).isInstanceOf(ConformanceException.class);
		assertThat(warmUp.validations()).isZero();
	}

	@Test
	void checksThatPassedBeforeByTheSameBuildAreNotMadeAgain() {
		Remembered passed = new Remembered("fingerprint", true);
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ofSeconds(1), 1);
		// Broken, but the fingerprint says these very files passed: not validated, so start-up goes on.
		warmUp.begin(validator, List.of(new LoadedResource("profiles/examples/broken.json", new Task())), samples(), passed);
		warmUp.awaitChecked();
		warmUp.start();
		assertThat(passed.recorded).isEmpty();
	}

	@Test
	void checksThatPassAreRememberedAndOnesThatFailAreNot() {
		Remembered fresh = new Remembered("new", false);
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ofSeconds(1), 1);
		warmUp.begin(validator, List.of(new LoadedResource("profiles/examples/patient.json", new Patient().setActive(true))), samples(), fresh);
		warmUp.start();
		assertThat(fresh.recorded).containsExactly("new");

		Remembered broken = new Remembered("broken", false);
		ValidatorWarmUp failing = new ValidatorWarmUp(Duration.ofSeconds(1), 1);
		failing.begin(validator, List.of(new LoadedResource("profiles/examples/broken.json", new Task())), samples(), broken);
		assertThatThrownBy(failing::awaitChecked).isInstanceOf(ConformanceException.class);
		assertThat(broken.recorded).isEmpty();
	}

	@Test
	void aCheckWithoutAFingerprintIsAlwaysMade() {
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ofSeconds(1), 1);
		warmUp.begin(validator, List.of(new LoadedResource("profiles/examples/broken.json", new Task())), samples(), new Remembered(null, true));
		assertThatThrownBy(warmUp::awaitChecked).isInstanceOf(ConformanceException.class);
	}

	/** Checks remembered in memory: one fingerprint, said to have passed or not. */
	private static final class Remembered implements ValidatorWarmUp.PassedChecks {
		private final String fingerprint;
		private final boolean passed;
		final List<String> recorded = new java.util.concurrent.CopyOnWriteArrayList<>();

		Remembered(String fingerprint, boolean passed) {
			this.fingerprint = fingerprint;
			this.passed = passed;
		}

		public String fingerprint(List<LoadedResource> checks) {
			return fingerprint;
		}

		public boolean passed(String fingerprint) {
			return passed;
		}

		public void record(String fingerprint) {
			recorded.add(fingerprint);
		}
	}

	@Test
	void onTwoCoresOneThreadWarmsSoThatStartUpKeepsACore() {
		assertThat(ValidatorWarmUp.threadsFor(2)).isEqualTo(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() - 1)));
		assertThat(ValidatorWarmUp.threadsFor(1)).isEqualTo(1);
	}

	@Test
	void beginningReturnsAtOnceSoThatTheRestOfStartUpRunsBeside() {
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ofSeconds(2), 2);
		long begun = System.nanoTime();
		warmUp.begin(validator, List.of(), samples(), ValidatorWarmUp.PassedChecks.NONE);
		assertThat(Duration.ofNanos(System.nanoTime() - begun)).isLessThan(Duration.ofSeconds(1));
		warmUp.start();
	}

	@Test
	void aWarmUpSwitchedOffDoesNotHoldStartUp() {
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ZERO, 2);
		warmUp.begin(validator, List.of(), samples(), ValidatorWarmUp.PassedChecks.NONE);
		long starting = System.nanoTime();
		warmUp.start();
		assertThat(Duration.ofNanos(System.nanoTime() - starting)).isLessThan(Duration.ofMillis(200));
		assertThat(warmUp.validations()).isZero();
	}

	@Test
	void startingWithoutAValidatorIsAnError() {
		assertThatThrownBy(() -> new ValidatorWarmUp(Duration.ofSeconds(1), 2).start()).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("never started");
	}
}
