package org.spgateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.time.Duration;
import java.util.List;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The warm-up runs beside start-up, and the web server's turn to start waits for it to end. */
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
	void startingWaitsUntilTheWarmUpHasRunItsTime() {
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ofMillis(1500), 2);
		long begun = System.nanoTime();
		warmUp.begin(validator, samples());
		assertThat(warmUp.isRunning()).isFalse();
		warmUp.start();
		assertThat(Duration.ofNanos(System.nanoTime() - begun)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
		assertThat(warmUp.validations()).isPositive();
		assertThat(warmUp.isRunning()).isTrue();
	}

	@Test
	void beginningReturnsAtOnceSoThatTheRestOfStartUpRunsBeside() {
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ofSeconds(2), 2);
		long begun = System.nanoTime();
		warmUp.begin(validator, samples());
		assertThat(Duration.ofNanos(System.nanoTime() - begun)).isLessThan(Duration.ofSeconds(1));
		warmUp.start();
	}

	@Test
	void aWarmUpSwitchedOffDoesNotHoldStartUp() {
		ValidatorWarmUp warmUp = new ValidatorWarmUp(Duration.ZERO, 2);
		warmUp.begin(validator, samples());
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
