package org.spgateway.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.hl7.fhir.common.hapi.validation.validator.ProfileKnowledgeWorkerR5;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.convertors.factory.VersionConvertorFactory_40_50;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r5.conformance.profile.ProfileUtilities;
import org.hl7.fhir.r5.fhirpath.FHIRPathEngine;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.conformance.ConformanceResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates the snapshot of every StructureDefinition in profiles/ (so that the API serves complete
 * profiles and the validator never builds one mid-request) and stops start-up on any error the
 * snapshot generator reports, naming the file. The profiles the gateway ships were compiled by the
 * build ({@link ProfileSnapshots}); only a set that differs from them is compiled at start-up.
 */
class ProfileCompiler {

	private static final Logger log = LoggerFactory.getLogger(ProfileCompiler.class);

	private final FhirContext fhirContext;

	ProfileCompiler(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	/** Gives every profile its snapshot: the build's when it was compiled from these very profiles, else a new one. */
	void compile(ConformanceResources conformance, Supplier<IValidationSupport> support) {
		long started = System.nanoTime();
		List<StructureDefinition> profiles = conformance.ofType(StructureDefinition.class);
		Map<String, StructureDefinition.StructureDefinitionSnapshotComponent> stored =
				ProfileSnapshots.stored(fhirContext, ProfileSnapshots.key(fhirContext, profiles));
		if (!profiles.isEmpty() && stored.keySet().containsAll(profiles.stream().map(StructureDefinition::getUrl).toList())) {
			profiles.forEach(p -> p.setSnapshot(stored.get(p.getUrl())));
			log.info("Profile snapshots: {} compiled by the build, read in {} ms", profiles.size(), (System.nanoTime() - started) / 1_000_000);
			return;
		}
		generate(conformance, support.get());
		log.info("Profile snapshots: {} compiled in {} ms (the build compiled another set of profiles)", profiles.size(),
				(System.nanoTime() - started) / 1_000_000);
	}

	/** Generates every profile's snapshot, checking each, parents first. */
	void generate(ConformanceResources conformance, IValidationSupport support) {
		WorkerContextValidationSupportAdapter context = WorkerContextValidationSupportAdapter.newVersionSpecificWorkerContextWrapper(support);
		List<StructureDefinition> profiles = new ArrayList<>(conformance.ofType(StructureDefinition.class));
		Map<String, StructureDefinition> byUrl = new HashMap<>();
		profiles.forEach(p -> byUrl.put(p.getUrl(), p));
		// Parents before children, so that a profile built on another of ours sees its snapshot.
		profiles.sort(Comparator.comparingInt(p -> depth(p, byUrl)));
		for (StructureDefinition profile : profiles) {
			String source = conformance.sourceOf(profile);
			if (!profile.hasBaseDefinition()) {
				throw new ConformanceException(source, "has no baseDefinition");
			}
			org.hl7.fhir.r5.model.StructureDefinition base = context.fetchResource(org.hl7.fhir.r5.model.StructureDefinition.class, profile.getBaseDefinition());
			StructureDefinition ownBase = byUrl.get(profile.getBaseDefinition());
			if (ownBase != null) {
				base = (org.hl7.fhir.r5.model.StructureDefinition) VersionConvertorFactory_40_50.convertResource(ownBase);
			}
			if (base == null) {
				throw new ConformanceException(source, "is based on " + profile.getBaseDefinition() + ", which the gateway does not know");
			}
			org.hl7.fhir.r5.model.StructureDefinition derived = (org.hl7.fhir.r5.model.StructureDefinition) VersionConvertorFactory_40_50.convertResource(profile.copy());
			List<ValidationMessage> messages = new ArrayList<>();
			try {
				new ProfileUtilities(context, messages, new ProfileKnowledgeWorkerR5(fhirContext))
						.generateSnapshot(base, derived, derived.getUrl(), null, derived.getName());
			} catch (Exception e) {
				throw new ConformanceException(source, "could not be compiled: " + e.getMessage());
			}
			List<String> errors = messages.stream()
					.filter(m -> m.getLevel() == ValidationMessage.IssueSeverity.ERROR || m.getLevel() == ValidationMessage.IssueSeverity.FATAL)
					.map(m -> (m.getLocation() == null ? "" : m.getLocation() + ": ") + m.getMessage())
					.toList();
			if (!errors.isEmpty() || !derived.hasSnapshot()) {
				throw new ConformanceException(source, "could not be compiled: " + (errors.isEmpty() ? "no snapshot produced" : String.join("; ", errors)));
			}
			checkInvariants(source, derived, context);
			StructureDefinition compiled = (StructureDefinition) VersionConvertorFactory_40_50.convertResource(derived);
			profile.setSnapshot(compiled.getSnapshot());
		}
	}

	/** Every FHIRPath invariant a profile adds must at least parse; a typo must not pass silently. */
	private static void checkInvariants(String source, org.hl7.fhir.r5.model.StructureDefinition profile, WorkerContextValidationSupportAdapter context) {
		FHIRPathEngine engine = new FHIRPathEngine(context);
		for (org.hl7.fhir.r5.model.ElementDefinition element : profile.getDifferential().getElement()) {
			for (org.hl7.fhir.r5.model.ElementDefinition.ElementDefinitionConstraintComponent constraint : element.getConstraint()) {
				if (!constraint.hasExpression()) {
					throw new ConformanceException(source, "constraint " + constraint.getKey() + " on " + element.getPath() + " has no expression");
				}
				try {
					engine.parse(constraint.getExpression());
				} catch (Exception e) {
					throw new ConformanceException(source, "constraint " + constraint.getKey() + " on " + element.getPath()
							+ " has an invalid FHIRPath expression: " + e.getMessage());
				}
			}
		}
	}

	private static int depth(StructureDefinition profile, Map<String, StructureDefinition> byUrl) {
		int depth = 0;
		StructureDefinition current = profile;
		while (current != null && depth < 20) {
			current = byUrl.get(current.getBaseDefinition());
			depth++;
		}
		return depth;
	}
}
