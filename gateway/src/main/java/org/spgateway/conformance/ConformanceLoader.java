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
 * Reads conformance resources from folders (on the classpath or the filesystem): FHIR JSON files, and
 * StructureMaps written in the FHIR Mapping Language ({@code .map} files). Parsing is strict: a typo in a
 * profile or map must stop start-up with the file name, not be silently dropped. So must a configured
 * folder that does not exist: a mistyped location would otherwise load nothing, silently.
 */
public class ConformanceLoader {

	/** The resource types that may live in profiles/ and mappings/. */
	public static final Set<String> CONFORMANCE_TYPES = Set.of(
			"StructureDefinition", "CodeSystem", "ValueSet", "ConceptMap", "StructureMap", "SearchParameter",
			"Questionnaire", "ImplementationGuide", "NamingSystem");

	/** File endings the loader reads; anything else in a folder (a partner descriptor, a README) is left alone. */
	private static final List<String> READ = List.of(".json", ".map");

	private final FhirContext fhirContext;
	private MappingLanguageParser mapParser;

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
			for (Source source : list(location, READ)) {
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
			for (Source source : list(location, ".json")) {
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
		if (source.name().endsWith(".map")) {
			if (mapParser == null) {
				mapParser = new MappingLanguageParser(fhirContext);
			}
			return List.of(checked(source.name(), mapParser.parse(source.name(), source.content())));
		}
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

	/** Every file under a location whose name ends with {@code ending}, sorted by name. */
	public static List<Source> list(String location, String ending) {
		return list(location, List.of(ending));
	}

	private static List<Source> list(String location, List<String> endings) {
		try {
			if (location.startsWith("classpath:")) {
				String folder = location.substring("classpath:".length()).replaceAll("^/+|/+$", "");
				PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
				if (resolver.getResources("classpath*:" + folder + "/**/*").length == 0) {
					throw new ConformanceException(location, "does not exist: there is no such folder on the classpath");
				}
				List<Source> sources = new ArrayList<>();
				for (String ending : endings) {
					for (org.springframework.core.io.Resource r : resolver.getResources("classpath*:" + folder + "/**/*" + ending)) {
						try (InputStream in = r.getInputStream()) {
							String path = r.getURL().toString();
							int at = path.lastIndexOf(folder + "/");
							String name = at >= 0 ? path.substring(at) : r.getFilename();
							sources.add(new Source(name, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
						}
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
				for (Path file : files.filter(p -> endings.stream().anyMatch(e -> p.toString().endsWith(e))).sorted().toList()) {
					sources.add(new Source(file.toString(), Files.readString(file)));
				}
				return sources;
			}
		} catch (IOException e) {
			throw new ConformanceException(location, "could not be read: " + e.getMessage());
		}
	}

	/** A file's name (as an operator would look for it) and its text. */
	public record Source(String name, String content) {}
}
