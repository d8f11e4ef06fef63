package org.spgateway.bulkimport;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.security.OutboundRefusals;
import org.spgateway.validation.ValidationIssue;

/**
 * The inputs of an {@code $import} request, in the Bulk Data import draft's {@code Parameters} shape: {@code inputFormat}
 * {@code application/fhir+ndjson} and one {@code input} per file with its resource {@code type} and {@code url}. Pure
 * rules: every problem found is returned with the FHIRPath of the offending part, none thrown.
 */
public final class ImportInputs {

	public static final String NDJSON = "application/fhir+ndjson";

	/** One input file: every line a resource of {@code type}. */
	public record Input(String type, String url) {}

	/** What the request asks for, or the problems that stop it. */
	public record Parsed(List<Input> inputs, List<ValidationIssue> problems) {}

	private ImportInputs() {}

	public static Parsed parse(Parameters parameters, OutboundAddressRules addresses, int maxInputs) {
		List<ValidationIssue> problems = new ArrayList<>();
		List<Input> inputs = new ArrayList<>();
		boolean format = false;
		for (int i = 0; i < parameters.getParameter().size(); i++) {
			ParametersParameterComponent p = parameters.getParameter().get(i);
			String path = "Parameters.parameter[" + i + "]";
			switch (p.getName() == null ? "" : p.getName()) {
				case "inputFormat" -> {
					format = true;
					String value = p.getValue() == null ? null : p.getValue().primitiveValue();
					if (!NDJSON.equals(value)) {
						problems.add(ValidationIssue.error(IssueType.NOTSUPPORTED, "inputFormat must be " + NDJSON + ": the gateway imports"
								+ " newline-delimited FHIR JSON, one resource per line", path + ".value"));
					}
				}
				case "input" -> {
					Input input = input(p, path, addresses, problems);
					if (input != null) {
						inputs.add(input);
					}
				}
				case "inputSource", "storageDetail", "inputDetails" -> {
					// Informative in the draft; the gateway fetches each url itself.
				}
				default -> problems.add(ValidationIssue.error(IssueType.NOTSUPPORTED, "Unknown parameter '" + p.getName() + "': $import takes"
						+ " inputFormat, inputSource, storageDetail and input", path + ".name"));
			}
		}
		if (!format) {
			problems.add(ValidationIssue.error(IssueType.REQUIRED, "inputFormat is required: give " + NDJSON, "Parameters.parameter"));
		}
		if (inputs.isEmpty() && problems.isEmpty()) {
			problems.add(ValidationIssue.error(IssueType.REQUIRED, "Give at least one input: a part 'type' (the resource type of every line)"
					+ " and a part 'url' (where the gateway fetches the NDJSON file)", "Parameters.parameter"));
		}
		if (inputs.size() > maxInputs) {
			problems.add(ValidationIssue.error(IssueType.TOOCOSTLY, "At most " + maxInputs + " inputs per job; this request has " + inputs.size(),
					"Parameters.parameter"));
		}
		List<Input> ordered = new ArrayList<>(inputs);
		// Stored in dependency order, whatever order they were given in: a Task's referral and person are stored first.
		ordered.sort(Comparator.comparingInt(in -> ImportTypes.rank(in.type())));
		return new Parsed(ordered, problems);
	}

	private static Input input(ParametersParameterComponent p, String path, OutboundAddressRules addresses, List<ValidationIssue> problems) {
		String type = null;
		String url = null;
		int typeAt = -1;
		int urlAt = -1;
		for (int j = 0; j < p.getPart().size(); j++) {
			ParametersParameterComponent part = p.getPart().get(j);
			String value = part.getValue() == null ? null : part.getValue().primitiveValue();
			if ("type".equals(part.getName())) {
				type = value;
				typeAt = j;
			} else if ("url".equals(part.getName())) {
				url = value;
				urlAt = j;
			}
		}
		if (type == null) {
			problems.add(ValidationIssue.error(IssueType.REQUIRED, "An input needs a part 'type': the resource type of every line", path + ".part"));
		} else if (!ImportTypes.importable(type)) {
			problems.add(ValidationIssue.error(IssueType.NOTSUPPORTED, "The gateway does not import " + type + " resources. It imports a caseload: "
					+ String.join(", ", ImportTypes.ORDER), path + ".part[" + typeAt + "].value"));
		}
		if (url == null) {
			problems.add(ValidationIssue.error(IssueType.REQUIRED, "An input needs a part 'url': where the gateway fetches the NDJSON file",
					path + ".part"));
			return null;
		}
		String urlPath = path + ".part[" + urlAt + "].value";
		URI uri;
		try {
			uri = new URI(url);
		} catch (URISyntaxException e) {
			problems.add(ValidationIssue.error(IssueType.VALUE, "The input url is not a URL", urlPath));
			return null;
		}
		if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
			problems.add(ValidationIssue.error(IssueType.VALUE, "The input url must be an http or https URL with a host", urlPath));
			return null;
		}
		ValidationIssue refused = OutboundRefusals.check(addresses, uri, urlPath);
		if (refused != null) {
			problems.add(refused);
			return null;
		}
		return type == null ? null : new Input(type, url);
	}
}
