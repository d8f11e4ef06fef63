package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.util.FhirTerser;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FHIR R4 base definitions the validator and the mapping engine work from, read once per process from the moment it
 * starts, on a thread of its own, and held once: in the R5 form HAPI's validator works on.
 *
 * <p>HAPI parses its 649 base StructureDefinitions (32 MB of XML) once per JVM, the first time any validation support
 * asks for one, and the validator's worker context converts each to R5. On the main thread that came after the
 * Spring context, the database and Flyway, and took 28% of the main thread's CPU (JDK Flight Recorder,
 * docs/performance.md): the validator, its check of the conformance resources and its warm-up all waited for it. Here
 * it starts before the first bean, beside class loading and the rest of start-up; {@link ValidationConfig} waits for it
 * before building its support chain, so the definitions are never parsed twice.
 *
 * <p>HAPI kept both forms for the life of the process: the R4 definitions in {@link DefaultProfileValidationSupport}'s
 * per-version store, each with its R5 copy attached. The two copies share their strings but not their objects: 61 MB
 * for the R4 copies and 84 MB for the R5 ones, measured alone (class histograms, docs/performance.md, "Memory, stop
 * 15"). Once every definition is converted, HAPI's store lets its R4 copies go ({@link DefaultProfileValidationSupport#flush});
 * {@link BaseDefinitionSupport} serves the R4 form to those who need it, converted back from the R5 one when asked. The
 * base terminology (ValueSets and CodeSystems) is read after that and stays in HAPI's store, in R4 only.
 *
 * <p>A faster format made at build time was tried and gave nothing: HAPI's XML parser took 2.9-3.2 s of CPU for the four
 * files in a cold JVM, HL7's generated JSON parser 3.6-3.9 s on the same definitions as JSON, and Java serialisation
 * drops the extensions of primitive values (which the definitions use for their types).
 */
public final class BaseDefinitions {

	private static final Logger log = LoggerFactory.getLogger(BaseDefinitions.class);
	/** One read per process, as HAPI's own store: every gateway (and every test) of the JVM shares the definitions. */
	private static CompletableFuture<Definitions> shared;

	private final FhirContext fhirContext;
	private final CompletableFuture<Definitions> loaded;

	private BaseDefinitions(FhirContext fhirContext, CompletableFuture<Definitions> loaded) {
		this.fhirContext = fhirContext;
		this.loaded = loaded;
	}

	/**
	 * Each base StructureDefinition in its R5 form, by URL; their R4 outlines, in HAPI's order; and the R4 forms made from them
	 * so far (a bounded number: the few types FHIRPath engines and maps ask about again and again).
	 */
	record Definitions(Map<String, StructureDefinition> byUrl, List<org.hl7.fhir.r4.model.StructureDefinition> outlines,
			Cache<String, org.hl7.fhir.r4.model.StructureDefinition> r4Forms) {}

	/** Starts reading the base definitions of this context's FHIR version on a daemon thread, unless the process already has. */
	public static BaseDefinitions loadInBackground(FhirContext fhirContext) {
		return process(fhirContext, true);
	}

	/** The process's definitions, read on this thread when first asked for if nothing started reading them (tests, the build). */
	static BaseDefinitions readOnDemand(FhirContext fhirContext) {
		return process(fhirContext, false);
	}

	private static synchronized BaseDefinitions process(FhirContext fhirContext, boolean inBackground) {
		if (shared == null) {
			CompletableFuture<Definitions> loading = new CompletableFuture<>();
			shared = loading;
			Runnable read = () -> {
				try {
					loading.complete(load(fhirContext));
				} catch (RuntimeException | Error e) {
					loading.completeExceptionally(e);
				}
			};
			if (inBackground) {
				Thread thread = new Thread(read, "base-definitions");
				thread.setDaemon(true);
				thread.start();
			} else {
				read.run();
			}
		}
		return new BaseDefinitions(fhirContext, shared);
	}

	FhirContext fhirContext() {
		return fhirContext;
	}

	private static Definitions load(FhirContext fhirContext) {
		long started = System.nanoTime();
		DefaultProfileValidationSupport base = new DefaultProfileValidationSupport(fhirContext);
		WorkerContextValidationSupportAdapter converter = new WorkerContextValidationSupportAdapter(base);
		FhirTerser terser = fhirContext.newTerser();
		Map<String, StructureDefinition> byUrl = new HashMap<>();
		List<org.hl7.fhir.r4.model.StructureDefinition> outlines = new ArrayList<>();
		for (IBaseResource definition : base.fetchAllStructureDefinitions()) {
			String url = terser.getSinglePrimitiveValueOrNull(definition, "url");
			// Converted as HAPI's worker context converts it (and with the package it names), the R5 form every worker context gets.
			StructureDefinition canonical = url == null ? null : converter.fetchResource(StructureDefinition.class, url);
			if (canonical == null) {
				throw new IllegalStateException("The FHIR base definition " + url + " could not be converted for the validator");
			}
			byUrl.put(url, canonical);
			outlines.add(BaseDefinitionSupport.outline((org.hl7.fhir.r4.model.StructureDefinition) definition, canonical));
		}
		// The R4 copies go; HAPI would read them again if asked, which nothing in the gateway does (BaseDefinitionSupport).
		base.flush();
		// The terminology the first validations need (the base ValueSets and CodeSystems, read together on first use).
		base.fetchValueSet("http://hl7.org/fhir/ValueSet/administrative-gender");
		log.info("FHIR base definitions read: {} StructureDefinitions and the base terminology in {} ms, beside the rest of start-up",
				byUrl.size(), (System.nanoTime() - started) / 1_000_000);
		// The largest base definitions (Bundle, Parameters ...) convert back in a few ms; 64 is more than any caller keeps asking about.
		return new Definitions(Map.copyOf(byUrl), List.copyOf(outlines), Caffeine.newBuilder().maximumSize(64).build());
	}

	/** Waits until the definitions are read; a failure to read them stops start-up. */
	void await() {
		definitions();
	}

	Definitions definitions() {
		try {
			return loaded.get();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while reading the FHIR base definitions", e);
		} catch (ExecutionException e) {
			throw new IllegalStateException("Could not read the FHIR base definitions", e.getCause());
		}
	}
}
