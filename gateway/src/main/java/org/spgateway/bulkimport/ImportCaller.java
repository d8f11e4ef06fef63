package org.spgateway.bulkimport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.spgateway.security.Caller;
import org.spgateway.security.OrganisationId;
import org.spgateway.security.Role;

/** A job's caller as stored with the job, so that a restarted gateway writes as the caller that started it. */
final class ImportCaller {

	private static final ObjectMapper JSON = new ObjectMapper();

	private ImportCaller() {}

	static String write(Caller caller) {
		ObjectNode node = JSON.createObjectNode();
		node.put("clientId", caller.clientId());
		node.put("role", caller.role().name());
		caller.organisations().forEach(o -> node.withArray("organisations").addObject().put("system", o.system()).put("value", o.value()));
		caller.scopes().forEach(s -> node.withArray("scopes").add(s));
		return node.toString();
	}

	static Caller read(String json) {
		try {
			JsonNode node = JSON.readTree(json);
			List<OrganisationId> organisations = new ArrayList<>();
			node.path("organisations").forEach(o -> organisations.add(new OrganisationId(o.path("system").asText(), o.path("value").asText())));
			Set<String> scopes = new LinkedHashSet<>();
			node.path("scopes").forEach(s -> scopes.add(s.asText()));
			return new Caller(node.path("clientId").asText(), Role.valueOf(node.path("role").asText()), organisations, scopes, false);
		} catch (JsonProcessingException e) {
			throw new IllegalStateException("A bulk import job's caller could not be read", e);
		}
	}
}
