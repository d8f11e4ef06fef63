package org.spgateway.feedback;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Type;
import org.spgateway.outcomes.OutcomeSummary;
import org.spgateway.resources.ResourceService;
import org.spgateway.security.AccessScope;
import org.spgateway.store.LocalReference;
import org.spgateway.store.StoredResource;

/**
 * The outcomes section of a discharge: for each instrument used on the referral, its total at
 * baseline and at the latest response and the change ($outcomes), in words, and the Observations
 * extracted from those two responses, which a GP record files as coded results.
 */
final class OutcomeReport {

	/** The words for the summary and the Observations to carry. */
	record Report(List<String> words, List<Resource> observations) {}

	private final OutcomeSummary summary;
	private final ResourceService resources;

	OutcomeReport(OutcomeSummary summary, ResourceService resources) {
		this.summary = summary;
		this.resources = resources;
	}

	Report of(String referralId) {
		Parameters outcomes = summary.summarize(referralId, AccessScope.UNRESTRICTED);
		List<String> words = new ArrayList<>();
		List<Resource> observations = new ArrayList<>();
		for (ParametersParameterComponent instrument : outcomes.getParameter()) {
			if (!"instrument".equals(instrument.getName())) {
				continue;
			}
			String title = value(instrument, "title", value(instrument, "name", "an instrument"));
			ParametersParameterComponent total = instrument.getPart().stream().filter(p -> "total".equals(p.getName())).findFirst().orElse(null);
			if (total != null && part(total, "baseline") != null && part(total, "latest") != null) {
				String change = part(total, "change") == null ? "" : " (" + signed(part(total, "change").primitiveValue()) + ", "
						+ part(total, "interpretation").primitiveValue() + ")";
				words.add(title + ": total " + part(total, "baseline").primitiveValue() + " at the first assessment, " + part(total, "latest")
						.primitiveValue() + " at the latest" + change);
			} else {
				// No total (the Wellbeing Star scores each domain on its own): how many scores moved which way.
				List<String> moves = instrument.getPart().stream().filter(p -> "item".equals(p.getName())).map(p -> part(p, "interpretation"))
						.filter(v -> v != null).map(Type::primitiveValue).toList();
				words.add(title + ": of " + moves.size() + " scores from the first assessment to the latest, " + count(moves, "improved")
						+ " improved, " + count(moves, "worse") + " worse, " + count(moves, "unchanged") + " unchanged");
			}
			for (String response : List.of("baselineResponse", "latestResponse")) {
				if (part(instrument, response) instanceof Reference ref) {
					LocalReference local = LocalReference.parse(ref.getReference());
					for (StoredResource o : resources.matchAll("Observation", "derived-from=QuestionnaireResponse/" + local.id(), 100)) {
						observations.add(resources.toResource(o));
					}
				}
			}
		}
		return new Report(words, observations);
	}

	private static long count(List<String> moves, String which) {
		return moves.stream().filter(which::equals).count();
	}

	private static String signed(String n) {
		return n.startsWith("-") ? n : "+" + n;
	}

	private static Type part(ParametersParameterComponent parent, String name) {
		return parent.getPart().stream().filter(p -> name.equals(p.getName())).map(ParametersParameterComponent::getValue).findFirst().orElse(null);
	}

	private static String value(ParametersParameterComponent parent, String name, String otherwise) {
		Type v = part(parent, name);
		return v == null ? otherwise : v.primitiveValue();
	}
}
