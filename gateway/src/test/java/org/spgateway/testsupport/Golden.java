package org.spgateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Golden files: FHIR JSON next to the tests, compared with what the gateway returns. What the server
 * assigns is left out on both sides: resource ids and meta (version, lastUpdated) are removed, and the
 * ids a test creates (patient, referral, responses) are written in the files as {{name}} placeholders
 * and filled in before comparing. Both sides are re-encoded by the same parser, so element order and
 * formatting never matter, and a difference shows as a readable diff of pretty-printed JSON.
 */
public final class Golden {

	private Golden() {}


	/** Every golden case's input ({@code *.input.json}) under a class-path folder of {@code owner}'s, in name order. */
	public static List<Path> inputs(Class<?> owner, String folder) {
		try {
			Path root = Path.of(owner.getResource(folder).toURI());
			try (Stream<Path> files = Files.walk(root)) {
				return files.filter(p -> p.getFileName().toString().endsWith(".input.json")).sorted().toList();
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	/** A fixture with its {{placeholders}} filled in. */
	public static String fill(Class<?> owner, String name, Map<String, String> values) {
		String text = Fixtures.text(owner, name);
		for (Map.Entry<String, String> e : values.entrySet()) {
			text = text.replace("{{" + e.getKey() + "}}", e.getValue());
		}
		if (text.contains("{{")) {
			throw new IllegalArgumentException(name + " has a placeholder with no value: "
					+ text.substring(text.indexOf("{{"), text.indexOf("}}", text.indexOf("{{")) + 2));
		}
		return text;
	}

	/**
	 * Compares with the golden file. Run with the environment variable {@code GOLDEN_UPDATE=true} to rewrite the golden files from
	 * what the gateway returns (ids put back as placeholders), then review the diff before committing.
	 */
	public static void assertMatches(Class<?> owner, String expectedFile, Map<String, String> values, IBaseResource actual) {
		if ("true".equals(System.getenv("GOLDEN_UPDATE")) || Boolean.getBoolean("golden.update")) {
			update(owner, expectedFile, values, actual);
		}
		IParser parser = GatewayServer.fhirContext().newJsonParser();
		Resource expected = (Resource) parser.parseResource(fill(owner, expectedFile, values));
		assertThat(normalized(actual)).as("%s (golden file %s)", actual.fhirType(), expectedFile).isEqualTo(normalized(expected));
	}

	/**
	 * Compares plain JSON (a partner's own, non-FHIR shape) with the golden file as JSON trees; {@code GOLDEN_UPDATE=true} rewrites
	 * the file from what was made.
	 */
	public static void assertJsonMatches(Class<?> owner, String expectedFile, JsonNode actual) {
		ObjectMapper json = new ObjectMapper();
		try {
			String pretty = json.writerWithDefaultPrettyPrinter().writeValueAsString(actual);
			if ("true".equals(System.getenv("GOLDEN_UPDATE")) || Boolean.getBoolean("golden.update")) {
				write(owner, expectedFile, pretty);
			}
			JsonNode expected = json.readTree(Fixtures.text(owner, expectedFile));
			// Both read by the same parser (numbers alike); objects compare whatever their field order.
			assertThat(json.readTree(pretty)).as("JSON (golden file %s), made:%n%s", expectedFile, pretty).isEqualTo(expected);
		} catch (JsonProcessingException e) {
			throw new IllegalArgumentException(expectedFile + " is not JSON", e);
		}
	}

	private static void write(Class<?> owner, String name, String text) {
		Path file = Path.of("src/test/resources", owner.getPackageName().replace('.', '/'), name);
		try {
			Files.writeString(file, text + "\n");
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static void update(Class<?> owner, String name, Map<String, String> values, IBaseResource actual) {
		String text = normalized(actual);
		for (Map.Entry<String, String> e : values.entrySet()) {
			text = text.replace(e.getValue(), "{{" + e.getKey() + "}}");
		}
		java.nio.file.Path file = java.nio.file.Path.of("src/test/resources", owner.getPackageName().replace('.', '/'), name);
		try {
			java.nio.file.Files.writeString(file, text + "\n");
		} catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	/** The resources of a search result as a collection Bundle, in the order the server returned them. */
	public static Bundle collection(Bundle searchset) {
		Bundle collection = new Bundle().setType(Bundle.BundleType.COLLECTION);
		searchset.getEntry().forEach(e -> collection.addEntry().setResource(e.getResource()));
		return collection;
	}

	private static String normalized(IBaseResource resource) {
		IParser parser = GatewayServer.fhirContext().newJsonParser();
		Resource copy = (Resource) parser.parseResource(parser.encodeResourceToString(resource));
		// The parser links a Bundle's references to its entries; with their ids stripped the encoder would contain copies of them under
		// random ids (a message's MessageHeader naming the organisations it carries).
		unlink(copy);
		strip(copy);
		return parser.setPrettyPrint(true).encodeResourceToString(copy);
	}

	private static void unlink(Resource resource) {
		GatewayServer.fhirContext().newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class).forEach(r -> r.setResource(null));
		if (resource instanceof Bundle bundle) {
			bundle.getEntry().stream().filter(e -> e.getResource() != null).forEach(e -> unlink(e.getResource()));
		}
	}

	private static void strip(Resource resource) {
		strip(resource, false);
	}

	/** @param keepId a document's entries keep their ids: its fullUrls name them, and references between entries resolve by them */
	private static void strip(Resource resource, boolean keepId) {
		if (!keepId) {
			resource.setId((String) null);
		}
		resource.setMeta(null);
		if (resource instanceof Bundle bundle) {
			boolean document = bundle.getType() == Bundle.BundleType.DOCUMENT;
			bundle.setTotalElement(null);
			bundle.getLink().clear();
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				if (!document && (!entry.hasFullUrl() || !entry.getFullUrl().startsWith("urn:uuid:"))) {
					// A server's fullUrl holds an id it assigned; a urn:uuid one is the sender's, and references within the Bundle use it, as
					// they use a document's (its entries are named by what made it).
					entry.setFullUrl(null);
				}
				entry.setSearch(null);
				if (entry.getResource() != null) {
					strip(entry.getResource(), document);
				}
			}
		}
	}
}
