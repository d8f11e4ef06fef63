package org.spgateway.mapping;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureMap;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.fhir.Outcomes;

/**
 * A provider platform's status change as it is posted to {@code POST /fhir/$partner-status?partner=[id]}: the platform's own flat JSON,
 * read by the partner's inbound status-update map into the Parameters of a status change, or that Parameters sent as FHIR. Either
 * way the result is the Task, the word and the note that {@link PartnerStatusUpdates} applies.
 */
public class PartnerStatusMessages {

	/** The Parameters names a status map makes (and the Parameters form carries). */
	static final String TASK = "task";
	static final String STATUS = "status";
	static final String NOTE = "note";

	private final Partners partners;
	private final MapEngine engine;
	private final FhirContext fhirContext;

	PartnerStatusMessages(Partners partners, MapEngine engine, FhirContext fhirContext) {
		this.partners = partners;
		this.engine = engine;
		this.fhirContext = fhirContext;
		check();
	}

	/** A status map reads the partner's JSON and makes Parameters; checked once so a partner's first message cannot find out. */
	private void check() {
		for (PartnerDefinition partner : partners.all()) {
			String url = partner.jsonStatusMap().orElse(null);
			if (url == null) {
				continue;
			}
			StructureMap map = engine.byUrl(url).orElseThrow();
			if (!engine.readsJson(map) || !"Parameters".equals(engine.targetType(map))) {
				throw new ConformanceException(partner.source(), "has the inbound status-update map " + url + ", which reads "
						+ engine.sourceType(map) + " and makes " + engine.targetType(map) + ": a status map posted to "
						+ PartnerDefinition.PARTNER_STATUS + " reads the partner's JSON (a logical model) and makes Parameters");
			}
		}
	}

	/**
	 * One status change.
	 *
	 * @param where the expression of a value in the form posted (for refusals)
	 */
	public record StatusChange(String partnerId, String taskId, String word, String note, UnaryOperator<String> where) {}

	/** The partner's own JSON through its status map. */
	StatusChange fromJson(PartnerDefinition partner, JsonNode json) {
		String url = partner.jsonStatusMap().orElseThrow(() -> Outcomes.invalid(partner.name() + " does not send status changes as its own JSON"
				+ " (its partner.yaml names no inbound status-update map with endpoint " + PartnerDefinition.PARTNER_STATUS + "): send the"
				+ " Parameters form (task, status, note)", "partner"));
		StructureMap map = engine.byUrl(url).orElseThrow();
		Resource made;
		try {
			made = engine.fromJson(map, json);
		} catch (LogicalJson.Problem problem) {
			throw Outcomes.unprocessable(problem.getMessage(), problem.path());
		} catch (MappingFailure failure) {
			throw Outcomes.unprocessable(failure.getMessage(), null);
		}
		// A refusal about a value names the field of the partner's JSON the map read it from.
		Map<String, String> fields = fieldsOf(map);
		UnaryOperator<String> where = name -> name.equals("partner") ? "partner" : fields.getOrDefault(name, name);
		return read((Parameters) made, where, "The map " + map.getName() + " (" + url + ") made no '%s' parameter");
	}

	/** The Parameters form: task (a reference or an id), status, note, and partner when the query does not name it. */
	StatusChange fromParameters(String body, boolean xml) {
		Parameters parameters;
		try {
			Resource parsed = (Resource) (xml ? fhirContext.newXmlParser() : fhirContext.newJsonParser()).parseResource(body);
			if (!(parsed instanceof Parameters p)) {
				throw Outcomes.invalid("$partner-status takes a Parameters (task, status, note) or the partner's own JSON, not a "
						+ parsed.fhirType(), "resourceType");
			}
			parameters = p;
		} catch (DataFormatException e) {
			throw Outcomes.invalid("The body is not a FHIR Parameters the gateway can read", null);
		}
		return read(parameters, PartnerStatusUpdates.IN_PARAMETERS, "$partner-status needs a '%s' parameter: the referral's Task"
				+ " (Task/[id]) and the partner's status word");
	}

	/** @param missing what a refusal for a missing value says, with {@code %s} for the parameter's name */
	private static StatusChange read(Parameters parameters, UnaryOperator<String> where, String missing) {
		String task = value(parameters, TASK);
		String word = value(parameters, STATUS);
		if (task == null) {
			throw Outcomes.invalid(missing.formatted(TASK), where.apply(TASK));
		}
		if (word == null) {
			throw Outcomes.invalid(missing.formatted(STATUS), where.apply(STATUS));
		}
		String id = task.startsWith("Task/") ? task.substring("Task/".length()) : task;
		if (!id.matches("[A-Za-z0-9\\-.]{1,64}")) {
			throw Outcomes.invalid("The referral's Task is Task/[id] as the gateway sent it, not '" + task + "'", where.apply(TASK));
		}
		return new StatusChange(value(parameters, "partner"), id, word, value(parameters, NOTE), where);
	}

	private static String value(Parameters parameters, String name) {
		ParametersParameterComponent parameter = parameters.getParameter().stream().filter(p -> name.equals(p.getName())).findFirst()
				.orElse(null);
		if (parameter == null || parameter.getValue() == null) {
			return null;
		}
		if (parameter.getValue() instanceof Reference reference) {
			return reference.getReference();
		}
		if (parameter.getValue() instanceof PrimitiveType<?> primitive && primitive.hasValue()) {
			return primitive.getValueAsString();
		}
		return null;
	}

	/** For each Parameters name the map sets, the source field it copies (rule source element): the JSON field a refusal names. */
	private static Map<String, String> fieldsOf(StructureMap map) {
		Map<String, String> fields = new HashMap<>();
		map.getGroup().forEach(group -> group.getRule().forEach(rule -> {
			String element = rule.getSourceFirstRep().getElement();
			rule.getTarget().stream().filter(t -> "name".equals(t.getElement()) && t.hasParameter())
					.forEach(t -> fields.put(t.getParameterFirstRep().getValue().primitiveValue(), element));
		}));
		return fields;
	}
}
