package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.util.VersionUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.utilities.http.ManagedWebAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.config.GatewayProperties;
import org.spgateway.conformance.ConformanceResources;

/**
 * The snapshots of the shipped profiles, compiled by the build instead of at every start.
 *
 * <p>Generating the snapshots of profiles/ and mappings/ took 2.8 s of a 15.5 s start on a quiet 2-core
 * machine, the same work every time. The build ({@code process-classes}, gateway/pom.xml) runs this class's
 * {@link #main} on the default locations and writes the compiled snapshots into the jar, under the key of
 * what they were compiled from: the HAPI FHIR version and every StructureDefinition as loaded. At start-up
 * {@link ProfileCompiler} uses them only when the key of the profiles it has loaded is the same; any other
 * set (an additional location with a profile, an edited file run without a build) is compiled as before.
 */
public final class ProfileSnapshots {

	static final String RESOURCE = "profile-snapshots.json";

	private ProfileSnapshots() {}

	/** What a set of snapshots is compiled from: the library version and the profiles as loaded, in canonical order. */
	static String key(FhirContext fhirContext, List<StructureDefinition> profiles) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update(("HAPI FHIR " + VersionUtil.getVersion() + "\n").getBytes(StandardCharsets.UTF_8));
			IParser parser = fhirContext.newJsonParser();
			profiles.stream().sorted(Comparator.comparing(StructureDefinition::getUrl, Comparator.nullsFirst(Comparator.naturalOrder())))
					.forEach(p -> digest.update((parser.encodeResourceToString(p) + "\n").getBytes(StandardCharsets.UTF_8)));
			return HexFormat.of().formatHex(digest.digest());
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
		}
	}

	/**
	 * The snapshots compiled by the build for exactly these profiles, by profile URL; empty when the build wrote none
	 * or wrote them for another set.
	 */
	static Map<String, StructureDefinition.StructureDefinitionSnapshotComponent> stored(FhirContext fhirContext, String key) {
		try (InputStream in = ProfileSnapshots.class.getClassLoader().getResourceAsStream(RESOURCE)) {
			if (in == null) {
				return Map.of();
			}
			Bundle bundle = fhirContext.newJsonParser().parseResource(Bundle.class, in);
			if (!key.equals(bundle.getIdentifier().getValue())) {
				return Map.of();
			}
			Map<String, StructureDefinition.StructureDefinitionSnapshotComponent> snapshots = new HashMap<>();
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				StructureDefinition compiled = (StructureDefinition) entry.getResource();
				snapshots.put(compiled.getUrl(), compiled.getSnapshot());
			}
			return snapshots;
		} catch (IOException e) {
			throw new UncheckedIOException("Could not read " + RESOURCE, e);
		}
	}

	/** Writes the compiled snapshots of these (already compiled) profiles, under the key they were compiled from. */
	static void write(FhirContext fhirContext, String key, List<StructureDefinition> compiled, Path file) throws IOException {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
		bundle.getIdentifier().setSystem("urn:ietf:rfc:3986").setValue(key);
		compiled.stream().sorted(Comparator.comparing(StructureDefinition::getUrl)).forEach(p -> bundle.addEntry().setResource(
				new StructureDefinition().setUrl(p.getUrl()).setSnapshot(p.getSnapshot())));
		Files.createDirectories(file.getParent());
		Files.writeString(file, fhirContext.newJsonParser().encodeResourceToString(bundle), StandardCharsets.UTF_8);
	}

	/**
	 * The build step: compiles the profiles of the default locations (read from the classpath, where the build has put
	 * profiles/ and mappings/) and writes their snapshots into the given classes folder.
	 */
	public static void main(String[] args) throws IOException {
		if (args.length != 1) {
			throw new IllegalArgumentException("Usage: ProfileSnapshots <classes folder>");
		}
		// The file is the build step's output; HAPI's progress lines would be noise in every build.
		((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
		// As at start-up (ValidationConfig): never the internet.
		ManagedWebAccess.setAccessPolicy(ManagedWebAccess.WebAccessPolicy.PROHIBITED);
		FhirContext fhirContext = FhirContext.forR4();
		ValidationConfig config = new ValidationConfig();
		ConformanceResources conformance = config.conformanceResources(fhirContext, new GatewayProperties());
		List<StructureDefinition> profiles = conformance.ofType(StructureDefinition.class);
		String key = key(fhirContext, profiles);
		new ProfileCompiler(fhirContext).generate(conformance, ValidationConfig.supportChain(fhirContext, conformance,
				BaseDefinitions.readOnDemand(fhirContext)));
		write(fhirContext, key, profiles, Path.of(args[0]).resolve(RESOURCE));
	}
}
