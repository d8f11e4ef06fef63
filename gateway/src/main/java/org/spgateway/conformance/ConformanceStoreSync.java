package org.spgateway.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.util.Optional;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.store.ResourceStore;
import org.spgateway.store.StoredResource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Puts the conformance resources from profiles/ and mappings/ into the store at start-up, so that they
 * are read and searched like any other resource. A changed file becomes a new version; an unchanged
 * one writes nothing. They are marked read-only for the API.
 */
public class ConformanceStoreSync {

	private static final Logger log = LoggerFactory.getLogger(ConformanceStoreSync.class);

	private final FhirContext fhirContext;
	private final ResourceStore store;
	private final TransactionTemplate transactions;

	public ConformanceStoreSync(FhirContext fhirContext, ResourceStore store, TransactionTemplate transactions) {
		this.fhirContext = fhirContext;
		this.store = store;
		this.transactions = transactions;
	}

	public void sync(ConformanceResources conformance) {
		int[] written = {0};
		transactions.executeWithoutResult(tx -> {
			// One instance at a time, so that two gateways starting together do not race.
			store.lock("conformance-sync");
			for (LoadedResource loaded : conformance.all()) {
				Resource resource = loaded.resource().copy();
				resource.setMeta(resource.getMeta().copy().setVersionId(null).setLastUpdated(null));
				Optional<StoredResource> current = store.lockCurrent(loaded.type(), loaded.id());
				if (current.isEmpty()) {
					store.create(resource, loaded.id(), StoredResource.ORIGIN_CONFORMANCE, "LOAD");
					written[0]++;
				} else if (!sameContent(current.get(), resource)) {
					if (!current.get().isConformance()) {
						throw new ConformanceException(loaded.source(), "has id " + loaded.type() + "/" + loaded.id()
								+ ", which a client has already used through the API");
					}
					store.update(current.get(), resource, "LOAD");
					written[0]++;
				}
			}
		});
		log.info("Conformance resources in the store: {} written, {} unchanged", written[0], conformance.all().size() - written[0]);
	}

	/**
	 * Compares what would be stored, not the models: {@code equalsDeep} compares narratives node by node, and a
	 * StructureMap parsed from the Mapping Language carries its source as a narrative whose nodes differ from the
	 * same narrative read back from JSON, so every map was rewritten at every start (issue 14).
	 */
	private boolean sameContent(StoredResource stored, Resource candidate) {
		IParser parser = fhirContext.newJsonParser();
		Resource existing = (Resource) parser.parseResource(stored.json());
		existing.setMeta(existing.getMeta().copy().setVersionId(null).setLastUpdated(null));
		existing.setId(candidate.getIdElement().toUnqualifiedVersionless());
		Resource normalized = candidate.copy();
		normalized.setId(candidate.getIdElement().toUnqualifiedVersionless());
		return parser.encodeResourceToString(existing).equals(parser.encodeResourceToString(normalized));
	}
}
