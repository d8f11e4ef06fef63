package org.spgateway.benchmark;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.StructureMap;
import org.spgateway.mapping.ConceptMapTranslator;
import org.spgateway.mapping.MapEngine;
import org.spgateway.validation.GatewayValidator;

/**
 * Transforms a second of one inbound and one outbound partner map alone, on one thread, in the benchmark's process before the
 * gateway starts (as the validation ceiling): Riverside's flat JSON referral read into its logical model and mapped to a
 * transaction, a feedback Bundle mapped to Riverside's flat JSON and written out, and a routed referral mapped to Casebook's
 * flat JSON (a provider's notification). The bodies are the golden inputs.
 */
final class MapThroughput {

	private static final String GOLDEN = "gateway/src/test/resources/org/spgateway/mapping/golden/";

	private MapThroughput() {}

	static String measure(Duration each) throws IOException {
		if (each.isZero()) {
			return "";
		}
		FhirContext fhir = FhirContext.forR4();
		GatewayValidator.Conformance loaded = GatewayValidator.conformance(fhir, List.of());
		MapEngine engine = new MapEngine(fhir, loaded.support(), loaded.resources(),
				new ConceptMapTranslator(loaded.resources().ofType(ConceptMap.class)));
		StructureMap inbound = engine.byId("riverside-asc-referral-inbound").orElseThrow();
		StructureMap outbound = engine.byId("riverside-asc-feedback-outbound").orElseThrow();
		StructureMap notification = engine.byId("casebook-referral-outbound").orElseThrow();
		JsonNode referral = new ObjectMapper().readTree(read("riverside-asc-referral-inbound/full-referral.input.json"));
		Bundle feedback = (Bundle) fhir.newJsonParser().parseResource(read("riverside-asc-feedback-outbound/accepted.input.json"));
		Bundle routed = (Bundle) fhir.newJsonParser().parseResource(read("casebook-referral-outbound/routed.input.json"));
		StringBuilder table = new StringBuilder("### Partner maps alone\n\n")
				.append("One thread in the benchmark's process, before the gateway starts, each map run over its golden input for ")
				.append(each.toSeconds()).append(" s after as long a warm-up (inbound: JSON tree to transaction Bundle; outbound: Bundle to")
				.append(" JSON text).\n\n| Map | Direction | Transforms/s | ms each |\n|---|---|---:|---:|\n");
		row(table, "riverside-asc-referral-inbound", "inbound (flat JSON -> transaction)", each, () -> engine.fromJson(inbound, referral));
		row(table, "riverside-asc-feedback-outbound", "outbound (Bundle -> flat JSON)", each, () -> engine.toJson(outbound, feedback).toString());
		row(table, "casebook-referral-outbound", "outbound notification (Bundle -> flat JSON)", each,
				() -> engine.toJson(notification, routed).toString());
		return table.append("\n").toString();
	}

	private static void row(StringBuilder table, String map, String direction, Duration each, Runnable transform) {
		run(transform, each);
		long count = run(transform, each);
		double perSecond = count / (double) each.toSeconds();
		table.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.3f |%n", map, direction, perSecond, 1000.0 / perSecond));
		System.err.println("maps: " + map + " " + String.format(Locale.ROOT, "%.0f/s", perSecond));
	}

	private static long run(Runnable transform, Duration each) {
		long deadline = System.nanoTime() + each.toNanos();
		long count = 0;
		while (System.nanoTime() < deadline) {
			transform.run();
			count++;
		}
		return count;
	}

	private static String read(String name) {
		Path file = Path.of(GOLDEN + name);
		if (!Files.exists(file)) {
			file = Path.of("../" + GOLDEN + name);
		}
		try {
			return Files.readString(file);
		} catch (IOException e) {
			throw new UncheckedIOException("Run the benchmark from the repository root (or gateway/): " + e.getMessage(), e);
		}
	}
}
