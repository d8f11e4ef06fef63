package org.spgateway.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Reads FHIR JSON conformance resources from folders (on the classpath or the filesystem). Parsing is
 * strict: a typo in a profile file must stop start-up with the file name, not be silently dropped.
 */
public class ConformanceLoader {

	/** The resource types that may live in profiles/ and mappings/. */
	public static final Set<String> CONFORMANCE_TYPES = Set.of(
			"StructureDefinition", "CodeSystem", "ValueSet", "ConceptMap", "StructureMap", "SearchParameter",
			"Questionnaire", "ImplementationGuide", "NamingSystem");

	private final FhirContext fhirContext;

	public ConformanceLoader(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	/** Example instances live in an {@code examples} folder; they are checked and used for warm-up, never served. */
	static final String EXAMPLES_FOLDER = "examples";
	/** Directory seed files (Organizations, HealthcareServices ...) are instance data the directory loads, not conformance resources. */
	static final String DIRECTORY_FOLDER = "directory";

	public List<LoadedResource> load(List<String> locations) {
		List<LoadedResource> loaded = new ArrayList<>();
		for (String location : locations) {
			for (Source source : list(location)) {
				if (!isExample(source.name()) && !inFolder(source.name(), DIRECTORY_FOLDER)) {
					loaded.addAll(parse(source));
				}
			}
		}
		return loaded;
	}

	public List<LoadedResource> loadExamples(List<String> locations) {
		IParser parser = fhirContext.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
		List<LoadedResource> examples = new ArrayList<>();
		for (String location : locations) {
			for (Source source : list(location)) {
				if (isExample(source.name())) {
					try {
						examples.add(new LoadedResource(source.name(), (Resource) parser.parseResource(source.content())));
					} catch (DataFormatException e) {
						throw new ConformanceException(source.name(), "is not valid FHIR JSON: " + e.getMessage());
					}
				}
			}
		}
		return examples;
	}

	private static boolean isExample(String name) {
		return inFolder(name, EXAMPLES_FOLDER);
	}

	private static boolean inFolder(String name, String folder) {
		String normalized = name.replace('\\', '/');
		return normalized.contains("/" + folder + "/") || normalized.startsWith(folder + "/");
	}

	private List<LoadedResource> parse(Source source) {
		IParser parser = fhirContext.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
		Resource resource;
		try {
			resource = (Resource) parser.parseResource(source.content());
		} catch (DataFormatException e) {
			throw new ConformanceException(source.name(), "is not valid FHIR JSON: " + e.getMessage());
		}
		List<LoadedResource> result = new ArrayList<>();
		if (resource instanceof Bundle bundle) {
			int index = 0;
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				result.add(checked(source.name() + "#entry[" + index++ + "]", entry.getResource()));
			}
		} else {
			result.add(checked(source.name(), resource));
		}
		return result;
	}

	private LoadedResource checked(String name, Resource resource) {
		if (resource == null) {
			throw new ConformanceException(name, "holds no resource");
		}
		String type = resource.fhirType();
		if (!CONFORMANCE_TYPES.contains(type)) {
			throw new ConformanceException(name, "holds a " + type + "; only " + String.join(", ", CONFORMANCE_TYPES.stream().sorted().toList()) + " belong in conformance folders");
		}
		if (!resource.hasIdElement() || resource.getIdElement().getIdPart() == null) {
			throw new ConformanceException(name, "has no id; every conformance resource needs a stable id");
		}
		resource.setId(type + "/" + resource.getIdElement().getIdPart());
		return new LoadedResource(name, resource);
	}

	private static List<Source> list(String location) {
		try {
			if (location.startsWith("classpath:")) {
				String folder = location.substring("classpath:".length()).replaceAll("^/+|/+$", "");
				PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
				org.springframework.core.io.Resource[] found = resolver.getResources("classpath*:" + folder + "/**/*.json");
				List<Source> sources = new ArrayList<>();
				for (org.springframework.core.io.Resource r : found) {
					try (InputStream in = r.getInputStream()) {
						String path = r.getURL().toString();
						int at = path.lastIndexOf(folder + "/");
						String name = at >= 0 ? path.substring(at) : r.getFilename();
						sources.add(new Source(name, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
					}
				}
				sources.sort(Comparator.comparing(Source::name));
				return sources;
			}
			Path folder = Path.of(location);
			if (!Files.isDirectory(folder)) {
				throw new ConformanceException(location, "is not a folder");
			}
			try (Stream<Path> files = Files.walk(folder)) {
				List<Source> sources = new ArrayList<>();
				for (Path file : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
					sources.add(new Source(file.toString(), Files.readString(file)));
				}
				return sources;
			}
		} catch (IOException e) {
			throw new ConformanceException(location, "could not be read: " + e.getMessage());
		}
	}

	private record Source(String name, String content) {}
}
