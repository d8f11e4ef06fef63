package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.util.FhirTerser;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the FHIR R4 base definitions the validator and the mapping engine work from, from the moment the process
 * starts, on a thread of its own.
 *
 * <p>HAPI parses its 649 base StructureDefinitions (32 MB of XML) once per JVM, the first time any validation support
 * asks for one, and the validator's worker context converts each to R5. On the main thread that came after the
 * Spring context, the database and Flyway, and took 28% of the main thread's CPU (JDK Flight Recorder,
 * docs/performance.md): the validator, its check of the conformance resources and its warm-up all waited for it. Here
 * it starts before the first bean, beside class loading and the rest of start-up; {@link ValidationConfig} waits for it
 * before building its support chain, so the definitions are never parsed twice.
 *
 * <p>The parsed definitions are HAPI's own ({@link DefaultProfileValidationSupport} keeps them per FHIR version), and
 * each one's R5 form is kept by HAPI on the definition itself, so every worker context made later finds it there. A
 * faster format made at build time was tried and gave nothing: HAPI's XML parser took 2.9-3.2 s of CPU for the four
 * files in a cold JVM, HL7's generated JSON parser 3.6-3.9 s on the same definitions as JSON, and Java serialisation
 * drops the extensions of primitive values (which the definitions use for their types).
 */
public final class BaseDefinitions {

	private static final Logger log = LoggerFactory.getLogger(BaseDefinitions.class);

	private final CompletableFuture<Void> loaded;

	private BaseDefinitions(CompletableFuture<Void> loaded) {
		this.loaded = loaded;
	}

	/** Starts reading the base definitions of this context's FHIR version on a daemon thread. */
	public static BaseDefinitions loadInBackground(FhirContext fhirContext) {
		CompletableFuture<Void> loaded = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			try {
				load(fhirContext);
				loaded.complete(null);
			} catch (RuntimeException | Error e) {
				loaded.completeExceptionally(e);
			}
		}, "base-definitions");
		thread.setDaemon(true);
		thread.start();
		return new BaseDefinitions(loaded);
	}

	/** Nothing to wait for: the support chain reads the definitions when first asked, as HAPI does (tests, benchmarks). */
	static BaseDefinitions readOnDemand() {
		return new BaseDefinitions(CompletableFuture.completedFuture(null));
	}

	private static void load(FhirContext fhirContext) {
		long started = System.nanoTime();
		DefaultProfileValidationSupport base = new DefaultProfileValidationSupport(fhirContext);
		WorkerContextValidationSupportAdapter converter = new WorkerContextValidationSupportAdapter(base);
		FhirTerser terser = fhirContext.newTerser();
		int count = 0;
		for (IBaseResource definition : base.fetchAllStructureDefinitions()) {
			String url = terser.getSinglePrimitiveValueOrNull(definition, "url");
			if (url != null) {
				// Converted once and kept on the definition, where every later worker context looks first.
				converter.fetchResource(StructureDefinition.class, url);
				count++;
			}
		}
		// The terminology the first validations need (the base ValueSets and CodeSystems, read together on first use).
		base.fetchValueSet("http://hl7.org/fhir/ValueSet/administrative-gender");
		log.info("FHIR base definitions read: {} StructureDefinitions and the base terminology in {} ms, beside the rest of start-up",
				count, (System.nanoTime() - started) / 1_000_000);
	}

	/** Waits until the definitions are read; a failure to read them stops start-up. */
	void await() {
		try {
			loaded.get();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while reading the FHIR base definitions", e);
		} catch (ExecutionException e) {
			throw new IllegalStateException("Could not read the FHIR base definitions", e.getCause());
		}
	}
}
