package org.spgateway.directory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.fhir.NhsIdentifiers;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.spgateway.validation.ResourceValidator;
import org.spgateway.validation.ValidationReport;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Loads directory seed files at start-up, idempotently. Each resource in a file has a stable id: it is
 * created the first time, updated when the file's copy changes, and left alone (with a warning) once
 * someone has changed it through the API, so a restart never undoes a directory edit. A resource whose
 * identifier is already in the directory under another id is not created twice. A file that is not
 * valid FHIR, or an entry that fails validation, stops start-up naming the file and entry.
 */
public class DirectorySeeder {

	private static final Logger log = LoggerFactory.getLogger(DirectorySeeder.class);
	private static final Set<String> SEEDABLE = Set.of("Organization", "HealthcareService", "Endpoint", "Practitioner", "PractitionerRole");

	private final FhirContext fhirContext;
	private final ResourceService resources;
	private final ResourceStore store;
	private final ResourceValidator validator;
	private final ServiceDirectory directory;
	private final JdbcTemplate jdbc;
	private final TransactionTemplate transactions;

	public DirectorySeeder(FhirContext fhirContext, ResourceService resources, ResourceStore store, ResourceValidator validator,
			ServiceDirectory directory, JdbcTemplate jdbc, TransactionTemplate transactions) {
		this.fhirContext = fhirContext;
		this.resources = resources;
		this.store = store;
		this.validator = validator;
		this.directory = directory;
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	/** What one seeding run did, for the log and for tests. */
	public record Result(int created, int updated, int unchanged, int kept) {}

	public Result seed(List<String> locations) {
		int[] counts = new int[4];
		for (String location : locations) {
			List<Entry> entries = read(location);
			for (Entry e : entries) {
				ValidationReport report = validator.validate(e.resource, null);
				if (report.hasErrors()) {
					throw new ConformanceException(e.source, "is not a valid " + e.resource.fhirType() + ": " + report.errors().stream()
							.map(i -> (i.expression() == null ? "" : i.expression() + ": ") + i.diagnostics()).reduce((a, b) -> a + "; " + b).orElse(""));
				}
			}
			// Organizations before the services that name them: the directory checks a service against the stored organisations.
			apply(entries.stream().filter(e -> !(e.resource instanceof HealthcareService)).toList(), counts);
			apply(entries.stream().filter(e -> e.resource instanceof HealthcareService).toList(), counts);
			log.info("Directory seed {}: {} created, {} updated, {} unchanged, {} kept as changed through the API", location, counts[0], counts[1],
					counts[2], counts[3]);
		}
		return new Result(counts[0], counts[1], counts[2], counts[3]);
	}

	private void apply(List<Entry> entries, int[] counts) {
		if (entries.isEmpty()) {
			return;
		}
		transactions.executeWithoutResult(tx -> {
			// One instance at a time: two gateways starting together must not both create.
			store.lock("directory-seed");
			for (Entry e : entries) {
				counts[apply(e)]++;
			}
		});
		directory.invalidate();
	}

	/** 0 created, 1 updated, 2 unchanged, 3 kept (changed through the API or taken by another id). */
	private int apply(Entry e) {
		String type = e.resource.fhirType();
		String id = e.resource.getIdElement().getIdPart();
		if (e.resource instanceof HealthcareService hs) {
			try {
				directory.check(hs);
			} catch (ServiceDirectory.DirectoryException ex) {
				throw new ConformanceException(e.source, "cannot be used for referrals: " + ex.getMessage());
			}
		}
		String hash = hash(e.resource);
		List<SeedRecord> records = jdbc.query("SELECT seeded_version, content_hash FROM directory_seed WHERE res_type = ? AND res_id = ?",
				(rs, n) -> new SeedRecord(rs.getInt(1), rs.getString(2)), type, id);
		SeedRecord record = records.isEmpty() ? null : records.get(0);
		StoredResource current;
		try {
			current = resources.read(type, id, AccessScope.UNRESTRICTED);
		} catch (ResourceNotFoundException notFound) {
			current = null;
		}
		if (current == null) {
			StoredResource taken = takenBy(e.resource);
			if (taken != null) {
				log.warn("Directory seed {}: {}/{} not created: {} already has its identifier", e.source, type, id, taken.versionlessId());
				return 3;
			}
			StoredResource stored = resources.createNow(e.resource, id, List.of()).stored();
			remember(type, id, stored.version(), hash, e.source);
			return 0;
		}
		if (record == null || record.version != current.version()) {
			if (record == null || !record.hash.equals(hash)) {
				log.warn("Directory seed {}: {}/{} has been changed through the API since it was seeded; the file's copy is not applied", e.source,
						type, id);
			}
			return 3;
		}
		if (record.hash.equals(hash)) {
			return 2;
		}
		StoredResource stored = resources.updateDirect(type, id, new IncomingResource(e.resource, List.of(), id), current.version()).stored();
		remember(type, id, stored.version(), hash, e.source);
		return 1;
	}

	private StoredResource takenBy(Resource resource) {
		List<Identifier> identifiers = DirectoryRecords.identifiers(resource);
		for (Identifier i : identifiers) {
			List<StoredResource> found = resources.matchAll(resource.fhirType(), "identifier=" + java.net.URLEncoder.encode(i.getSystem() + "|" + i.getValue(),
					StandardCharsets.UTF_8), 1);
			if (!found.isEmpty()) {
				return found.get(0);
			}
		}
		return null;
	}

	private void remember(String type, String id, int version, String hash, String source) {
		jdbc.update("INSERT INTO directory_seed (res_type, res_id, seeded_version, content_hash, source) VALUES (?, ?, ?, ?, ?)"
				+ " ON CONFLICT (res_type, res_id) DO UPDATE SET seeded_version = EXCLUDED.seeded_version, content_hash = EXCLUDED.content_hash,"
				+ " source = EXCLUDED.source, seeded_at = now()", type, id, version, hash, source);
	}

	private record SeedRecord(int version, String hash) {}

	private record Entry(String source, Resource resource) {}

	private List<Entry> read(String location) {
		String text;
		try {
			if (location.startsWith("classpath:")) {
				org.springframework.core.io.Resource r = new DefaultResourceLoader().getResource(location);
				if (!r.exists()) {
					throw new ConformanceException(location, "does not exist");
				}
				try (InputStream in = r.getInputStream()) {
					text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
				}
			} else {
				text = Files.readString(Path.of(location));
			}
		} catch (IOException e) {
			throw new ConformanceException(location, "could not be read: " + e.getMessage());
		}
		Resource parsed;
		try {
			parsed = (Resource) fhirContext.newJsonParser().setParserErrorHandler(new StrictErrorHandler()).parseResource(text);
		} catch (DataFormatException e) {
			throw new ConformanceException(location, "is not valid FHIR JSON: " + e.getMessage());
		}
		List<Entry> entries = new ArrayList<>();
		if (parsed instanceof Bundle bundle) {
			for (int i = 0; i < bundle.getEntry().size(); i++) {
				entries.add(checked(location + "#entry[" + i + "]", bundle.getEntry().get(i).getResource()));
			}
		} else {
			entries.add(checked(location, parsed));
		}
		return entries;
	}

	private Entry checked(String source, Resource resource) {
		if (resource == null) {
			throw new ConformanceException(source, "holds no resource");
		}
		if (!SEEDABLE.contains(resource.fhirType())) {
			throw new ConformanceException(source, "holds a " + resource.fhirType() + "; a directory seed holds " + String.join(", ",
					SEEDABLE.stream().sorted().toList()));
		}
		if (!resource.getIdElement().hasIdPart()) {
			throw new ConformanceException(source, "has no id; every seeded resource needs a stable id so that seeding is idempotent");
		}
		NhsIdentifiers.normalize(fhirContext, resource);
		resource.setId(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
		resource.setMeta(null);
		return new Entry(source, resource);
	}

	private String hash(Resource resource) {
		Resource copy = resource.copy();
		copy.setMeta(null);
		String json = fhirContext.newJsonParser().encodeResourceToString(copy);
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
