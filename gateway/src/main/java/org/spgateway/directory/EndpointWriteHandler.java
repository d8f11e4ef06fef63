package org.spgateway.directory;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Resource;
import org.spgateway.fhir.Outcomes;
import org.spgateway.resources.IncomingResource;
import org.spgateway.resources.ResourceService;
import org.spgateway.resources.ResourceWriteHandler;
import org.spgateway.resources.WriteContext;
import org.spgateway.resources.WriteOutcome;
import org.spgateway.security.HeaderSecretRecords;
import org.spgateway.security.OutboundAddressRules;
import org.spgateway.security.OutboundRefusals;
import org.spgateway.validation.ValidationIssue;

/**
 * Writes of Endpoint, whichever way they arrive. An organisation's Endpoint is where the gateway sends
 * feedback, so an http(s) address must be one the gateway may call ({@link OutboundAddressRules});
 * other schemes are stored as they are, as the gateway never calls them. Header values (the
 * referrer's own credentials for feedback delivery) are write-only ({@link HeaderSecretRecords}).
 */
public class EndpointWriteHandler implements ResourceWriteHandler {

	private static final String TYPE = "Endpoint";
	private static final String ADDRESS = "Endpoint.address";
	private static final String HEADERS = "Endpoint.header";

	private final ResourceService resources;
	private final OutboundAddressRules addresses;
	private final HeaderSecretRecords secrets;

	public EndpointWriteHandler(ResourceService resources, OutboundAddressRules addresses, HeaderSecretRecords secrets) {
		this.resources = resources;
		this.addresses = addresses;
		this.secrets = secrets;
	}

	@Override
	public String resourceType() {
		return TYPE;
	}

	@Override
	public WriteOutcome create(IncomingResource incoming, String ifNoneExist, WriteContext context) {
		refuseUnsafe(incoming.resource());
		// The id is fixed first: the header values are kept under it before the Endpoint is stored.
		String id = incoming.newId();
		secrets.protectOrRefuse(TYPE, id, ((Endpoint) incoming.resource()).getHeader(), HEADERS);
		IncomingResource withId = new IncomingResource(incoming.resource(), incoming.warnings(), id, incoming.method());
		return resources.createDirect(TYPE, withId, ifNoneExist);
	}

	@Override
	public WriteOutcome update(String id, IncomingResource incoming, Integer expectedVersion, WriteContext context) {
		refuseUnsafe(incoming.resource());
		secrets.protectOrRefuse(TYPE, id, ((Endpoint) incoming.resource()).getHeader(), HEADERS);
		return resources.updateDirect(TYPE, id, incoming, expectedVersion);
	}

	@Override
	public List<ValidationIssue> check(Resource resource, WriteContext context) {
		List<ValidationIssue> issues = new ArrayList<>();
		ValidationIssue problem = addressProblem((Endpoint) resource);
		if (problem != null) {
			issues.add(problem);
		}
		return issues;
	}

	private void refuseUnsafe(Resource resource) {
		ValidationIssue problem = addressProblem((Endpoint) resource);
		if (problem != null) {
			throw Outcomes.unprocessable(List.of(problem));
		}
	}

	private ValidationIssue addressProblem(Endpoint endpoint) {
		if (!endpoint.hasAddress()) {
			return null;
		}
		URI uri;
		try {
			uri = new URI(endpoint.getAddress().trim());
		} catch (URISyntaxException notAUrl) {
			return null;
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
			return null;
		}
		return OutboundRefusals.check(addresses, uri, ADDRESS);
	}
}
