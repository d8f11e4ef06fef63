package org.spgateway.mapping;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The partners defined in mappings/: looked up by id, or by an organisation they speak for (who sent this?). */
public class Partners {

	private final List<PartnerDefinition> all;
	private final Map<String, PartnerDefinition> byOrganization;

	public Partners(List<PartnerDefinition> all) {
		this.all = List.copyOf(all);
		this.byOrganization = all.stream()
				.flatMap(p -> p.organizations().stream().map(o -> Map.entry(PartnerLoader.key(o.system(), o.value()), p)))
				.collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
	}

	public List<PartnerDefinition> all() {
		return all;
	}

	public Optional<PartnerDefinition> byId(String id) {
		return all.stream().filter(p -> p.id().equals(id)).findFirst();
	}

	/** The partner that speaks for the organisation with this identifier (any spelling of an NHS system). */
	public Optional<PartnerDefinition> forOrganization(String system, String value) {
		return Optional.ofNullable(byOrganization.get(PartnerLoader.key(system, value)));
	}

}
