package org.spgateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spgateway.conformance.ConformanceException;
import org.spgateway.mapping.PartnerDefinition.Channel;
import org.spgateway.mapping.PartnerDefinition.Direction;
import org.spgateway.mapping.PartnerDefinition.Message;
import org.spgateway.mapping.PartnerDefinition.Payload;
import org.spgateway.mapping.PartnerDefinition.Role;

/** Partner descriptors: read strictly, so that a mistake stops start-up naming the file, rather than the first message failing. */
class PartnerLoaderTest {

	private static final String MAP = "https://example.org/StructureMap/inbound";

	@TempDir
	Path folder;

	private static final String VALID = """
			name: Lakeside case system
			role: provider
			organizations:
			  - system: https://fhir.nhs.uk/id/ods-organization-code
			    value: X99901
			directions: [inbound, outbound]
			maps:
			  - direction: inbound
			    message: status-update
			    structureMap: https://example.org/StructureMap/inbound
			delivery:
			  channel: json-webhook
			  endpoint: https://lakeside.example/hooks/referrals
			  headers:
			    X-Lakeside-Tenant: northside
			  payload: id-only
			""";

	@Test
	void aValidDescriptorIsReadWithTheFolderNameAsTheId() throws IOException {
		write("lakeside", VALID);
		PartnerDefinition partner = load().get(0);
		assertThat(partner.id()).isEqualTo("lakeside");
		assertThat(partner.role()).isEqualTo(Role.PROVIDER);
		assertThat(partner.organizations()).singleElement()
				// Any spelling of an NHS identifier system is kept in its canonical form.
				.satisfies(o -> assertThat(o.system()).isEqualTo("https://fhir.nhs.uk/Id/ods-organization-code"));
		assertThat(partner.mapFor(Direction.INBOUND, Message.STATUS_UPDATE)).contains(MAP);
		assertThat(partner.mapFor(Direction.OUTBOUND, Message.REFERRAL)).isEmpty();
		assertThat(partner.delivery().channel()).isEqualTo(Channel.JSON_WEBHOOK);
		assertThat(partner.delivery().payload()).isEqualTo(Payload.ID_ONLY);
		assertThat(partner.delivery().wantsCodesOnly()).isFalse();
		assertThat(partner.delivery().headers()).containsEntry("X-Lakeside-Tenant", "northside");
		Partners partners = new Partners(List.of(partner));
		assertThat(partners.forOrganization("https://fhir.nhs.uk/Id/ods-organization-code", "X99901")).contains(partner);
		assertThat(partners.forOrganization("https://fhir.nhs.uk/Id/ods-organization-code", "X99902")).isEmpty();
	}

	@Test
	void anUnknownFieldIsRefusedWithWhereItIs() throws IOException {
		write("lakeside", VALID.replace("role: provider", "rol: provider"));
		assertThatThrownBy(this::load).isInstanceOf(ConformanceException.class)
				.hasMessageContaining("lakeside/partner.yaml")
				.hasMessageContaining("has an unknown field 'rol' at the top level; the fields there are delivery, directions, maps, name,");
		write("lakeside", VALID.replace("  payload: id-only", "  payloud: id-only"));
		assertThatThrownBy(this::load).hasMessageContaining("has an unknown field 'payloud' in delivery");
	}

	@Test
	void aValueOutsideTheListIsRefusedNamingWhatIsAllowed() throws IOException {
		write("lakeside", VALID.replace("channel: json-webhook", "channel: email"));
		assertThatThrownBy(this::load).hasMessageContaining("delivery.channel is 'email'; it must be one of fhir-rest-hook, "
				+ "bars-process-message, json-webhook, polling");
	}

	@Test
	void aPushChannelNeedsAnEndpoint() throws IOException {
		write("lakeside", VALID.replace("  endpoint: https://lakeside.example/hooks/referrals\n", ""));
		assertThatThrownBy(this::load).hasMessageContaining("delivers by json-webhook and needs an endpoint");
	}

	@Test
	void aMapThatIsNotLoadedIsRefused() throws IOException {
		write("lakeside", VALID.replace(MAP, "https://example.org/StructureMap/typo"));
		assertThatThrownBy(this::load).hasMessageContaining("names the StructureMap https://example.org/StructureMap/typo, which is not loaded");
	}

	@Test
	void aMapForADirectionThePartnerDoesNotUseIsRefused() throws IOException {
		write("lakeside", VALID.replace("directions: [inbound, outbound]", "directions: [outbound]"));
		assertThatThrownBy(this::load).hasMessageContaining("has an inbound map but does not list inbound in its directions");
	}

	@Test
	void twoPartnersMayNotClaimTheSameOrganisation() throws IOException {
		write("lakeside", VALID);
		write("lakeside-two", VALID);
		assertThatThrownBy(this::load).hasMessageContaining("claims organisation https://fhir.nhs.uk/Id/ods-organization-code|X99901, which")
				.hasMessageContaining("lakeside/partner.yaml").hasMessageContaining("lakeside-two/partner.yaml");
	}

	@Test
	void aFolderNameThatCannotBeAnIdIsRefused() throws IOException {
		write("Lake Side", VALID);
		assertThatThrownBy(this::load).hasMessageContaining("a partner's folder name is its id");
	}

	@Test
	void aStatusUpdateMayBeTranslatedByALoadedConceptMapInsteadOfAStructureMap() throws IOException {
		String words = "https://example.org/ConceptMap/words";
		write("lakeside", VALID.replace("structureMap: https://example.org/StructureMap/inbound", "conceptMap: " + words));
		PartnerDefinition partner = new PartnerLoader().load(List.of(folder.toString()), Set.of(MAP), Set.of(words)).get(0);
		assertThat(partner.conceptMapFor(Direction.INBOUND, Message.STATUS_UPDATE)).contains(words);
		assertThat(partner.mapFor(Direction.INBOUND, Message.STATUS_UPDATE)).isEmpty();
		assertThatThrownBy(this::load).isInstanceOf(ConformanceException.class)
				.hasMessageContaining("names the ConceptMap " + words + ", which is not loaded");
	}

	@Test
	void aMapEntryNamingBothAStructureMapAndAConceptMapIsOnlyAStatusUpdateReadFromJsonAtItsEndpoint() throws IOException {
		String words = "https://example.org/ConceptMap/words";
		String both = "structureMap: https://example.org/StructureMap/inbound\n    conceptMap: " + words;
		write("lakeside", VALID.replace("structureMap: https://example.org/StructureMap/inbound", both));
		assertThatThrownBy(() -> new PartnerLoader().load(List.of(folder.toString()), Set.of(MAP), Set.of(words)))
				.isInstanceOf(ConformanceException.class).hasMessageContaining("name the endpoint it is posted to (endpoint: $partner-status)");

		write("lakeside", VALID.replace("structureMap: https://example.org/StructureMap/inbound", both + "\n    endpoint: $partner-status"));
		PartnerDefinition partner = new PartnerLoader().load(List.of(folder.toString()), Set.of(MAP), Set.of(words)).get(0);
		assertThat(partner.jsonStatusMap()).contains(MAP);
		assertThat(partner.conceptMapFor(Direction.INBOUND, Message.STATUS_UPDATE)).contains(words);

		write("lakeside", VALID.replace("message: status-update\n    structureMap: https://example.org/StructureMap/inbound",
				"message: referral\n    " + both));
		assertThatThrownBy(() -> new PartnerLoader().load(List.of(folder.toString()), Set.of(MAP), Set.of(words)))
				.isInstanceOf(ConformanceException.class).hasMessageContaining("either a structureMap or a conceptMap");
	}

	@Test
	void aDeliveryMayAskForFhirXmlAndNoOtherFormat() throws IOException {
		write("lakeside", VALID.replace("  payload: id-only", "  payload: id-only\n  format: application/fhir+xml"));
		assertThat(load().get(0).delivery().fhirContentType()).isEqualTo("application/fhir+xml");
		write("lakeside", VALID);
		assertThat(load().get(0).delivery().fhirContentType()).isEqualTo("application/fhir+json");
		write("lakeside", VALID.replace("  payload: id-only", "  payload: id-only\n  format: text/csv"));
		assertThatThrownBy(this::load).isInstanceOf(ConformanceException.class).hasMessageContaining("asks for the format 'text/csv'");
	}

	@Test
	void secretHeadersAreNamedInTheDescriptorAndNeverValued() throws IOException {
		write("lakeside", VALID.replace("  payload: id-only", "  secretHeaders: [X-Api-Key]\n  payload: id-only"));
		assertThat(load().get(0).delivery().secretHeadersOrNone()).containsExactly("X-Api-Key");
		write("lakeside", VALID.replace("  payload: id-only", "  secretHeaders: [X-Lakeside-Tenant]\n  payload: id-only"));
		assertThatThrownBy(this::load).hasMessageContaining("names the header X-Lakeside-Tenant twice");
		write("lakeside", VALID.replace("  payload: id-only", "  secretHeaders: [\"Bad Name\"]\n  payload: id-only"));
		assertThatThrownBy(this::load).hasMessageContaining("secret header name that is not a valid HTTP header name: Bad Name");
	}

	@Test
	void aJsonWebhookWithNoMapNeedsIdOnlyOrCodesOnly() throws IOException {
		write("lakeside", VALID.replace("  payload: id-only\n", ""));
		assertThatThrownBy(this::load).hasMessageContaining("delivers by json-webhook with no outbound notification map: its webhook takes"
				+ " the map's output, so name the map (or use payload id-only)");
	}

	@Test
	void aBarsChannelCarriesWholeMessagesToReferrersOnly() throws IOException {
		String referrer = VALID.replace("role: provider", "role: referrer").replace("channel: json-webhook", "channel: bars-process-message");
		write("lakeside", referrer);
		assertThatThrownBy(this::load).hasMessageContaining("delivers by bars-process-message with payload id-only: a BaRS message always"
				+ " carries its resources");
		write("lakeside", referrer.replace("  payload: id-only", "  codesOnly: true"));
		assertThatThrownBy(this::load).hasMessageContaining("delivers by bars-process-message with codesOnly");
		write("lakeside", referrer.replace("  payload: id-only\n", ""));
		assertThat(load().get(0).delivery().channel()).isEqualTo(Channel.BARS_PROCESS_MESSAGE);
		write("lakeside", VALID.replace("channel: json-webhook", "channel: bars-process-message").replace("  payload: id-only\n", ""));
		assertThatThrownBy(this::load).hasMessageContaining("is a provider delivering by bars-process-message");
	}

	@Test
	void codesOnlyIsForReferrersAndNotBesideAMap() throws IOException {
		write("lakeside", VALID.replace("  payload: id-only", "  codesOnly: true"));
		assertThatThrownBy(this::load).hasMessageContaining("is a provider with codesOnly");
		String mapped = VALID.replace("role: provider", "role: referrer").replace("  payload: id-only", "  codesOnly: true");
		write("lakeside", mapped.replace("direction: inbound\n    message: status-update", "direction: outbound\n    message: feedback"));
		assertThatThrownBy(this::load).hasMessageContaining("has an outbound feedback map and codesOnly: a partner gets either its map's"
				+ " output or the gateway's codes-only feedback, not both");
	}

	@Test
	void anOutboundMapGoesToTheWebhookWithTheWholeContent() throws IOException {
		String mapped = VALID.replace("direction: inbound\n    message: status-update", "direction: outbound\n    message: notification");
		write("lakeside", mapped);
		assertThatThrownBy(this::load).hasMessageContaining("has an outbound notification map and payload id-only");
		write("lakeside", mapped.replace("channel: json-webhook", "channel: fhir-rest-hook").replace("  payload: id-only\n", ""));
		assertThatThrownBy(this::load).hasMessageContaining("has an outbound notification map but delivers by fhir-rest-hook");
		write("lakeside", mapped.replace("  payload: id-only\n", ""));
		assertThat(load().get(0).mapFor(Direction.OUTBOUND, Message.NOTIFICATION)).contains(MAP);
	}

	private void write(String partner, String text) throws IOException {
		Path file = folder.resolve(partner).resolve(PartnerLoader.DESCRIPTOR);
		Files.createDirectories(file.getParent());
		Files.writeString(file, text);
	}

	private List<PartnerDefinition> load() {
		return new PartnerLoader().load(List.of(folder.toString()), Set.of(MAP), Set.of());
	}
}
