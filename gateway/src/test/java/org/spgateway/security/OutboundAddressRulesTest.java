package org.spgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which receiver addresses the gateway may call. */
class OutboundAddressRulesTest {

	/** A DNS of its own: names map to literal addresses, anything else is not found. */
	static final Map<String, List<String>> DNS = Map.of(
			"public.test", List.of("203.0.113.10"),
			"inside.test", List.of("10.1.2.3"),
			"split.test", List.of("203.0.113.10", "192.168.1.5"),
			"hub.internal.test", List.of("10.20.0.7"),
			"localhost", List.of("127.0.0.1", "::1"),
			"self.test", List.of("198.51.100.7"));

	static InetAddress[] resolve(String host) throws UnknownHostException {
		List<String> literal = host.matches("[0-9a-f.:]+") ? List.of(host) : DNS.get(host);
		if (literal == null) {
			throw new UnknownHostException(host);
		}
		InetAddress[] out = new InetAddress[literal.size()];
		for (int i = 0; i < out.length; i++) {
			out[i] = InetAddress.getByName(literal.get(i));
		}
		return out;
	}

	static OutboundAddressRules rules(List<String> hosts, List<String> cidrs, boolean sandbox) {
		Set<InetAddress> own;
		try {
			own = Set.of(InetAddress.getByName("198.51.100.7"));
		} catch (UnknownHostException e) {
			throw new AssertionError(e);
		}
		return new OutboundAddressRules(OutboundAddressRulesTest::resolve, hosts, cidrs.stream().map(AddressBlock::parse).toList(), sandbox,
				"gateway.example.org", () -> own);
	}

	static final OutboundAddressRules DEFAULT = rules(List.of(), List.of(), false);

	@ParameterizedTest(name = "{0} is refused as {1}")
	@CsvSource({
		"127.0.0.1, LOOPBACK", "127.8.9.10, LOOPBACK", "::1, LOOPBACK", "::ffff:127.0.0.1, LOOPBACK",
		"0.0.0.0, UNSPECIFIED", "::, UNSPECIFIED",
		"169.254.169.254, LINK_LOCAL", "fe80::1, LINK_LOCAL",
		"10.0.0.1, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.254, PRIVATE", "192.168.0.1, PRIVATE",
		"fc00::1, UNIQUE_LOCAL", "fd12:3456::1, UNIQUE_LOCAL",
		"100.64.0.1, SHARED", "100.127.255.254, SHARED",
		"224.0.0.1, MULTICAST", "ff02::1, MULTICAST",
		"255.255.255.255, RESERVED",
		"198.51.100.7, GATEWAY_ITSELF"})
	void eachInternalRangeIsRefusedByItsRule(String address, AddressRule rule) {
		assertThat(DEFAULT.check(address).refusedBy()).isEqualTo(rule);
	}

	@ParameterizedTest(name = "{0} is public")
	@CsvSource({"203.0.113.10", "172.32.0.1", "100.128.0.1", "8.8.8.8", "2001:db8::1", "public.test"})
	void publicAddressesAreAllowed(String host) {
		assertThat(DEFAULT.check(host).allowed()).isTrue();
	}

	@Test
	void aNameThatResolvesInsideIsRefusedLikeTheAddress() {
		assertThat(DEFAULT.check("inside.test").refusedBy()).isEqualTo(AddressRule.PRIVATE);
		assertThat(DEFAULT.check("localhost").refusedBy()).isEqualTo(AddressRule.LOOPBACK);
	}

	@Test
	void oneInternalAddressAmongPublicOnesIsEnoughToRefuse() {
		assertThat(DEFAULT.check("split.test").refusedBy()).isEqualTo(AddressRule.PRIVATE);
	}

	@Test
	void theGatewaysOwnPublicHostIsRefusedByName() {
		assertThat(DEFAULT.check(URI.create("https://GATEWAY.example.org/fhir")).refusedBy()).isEqualTo(AddressRule.GATEWAY_ITSELF);
		assertThat(DEFAULT.check("self.test").refusedBy()).isEqualTo(AddressRule.GATEWAY_ITSELF);
	}

	@Test
	void anIpv6LiteralInAUrlIsCheckedWithoutItsBrackets() {
		assertThat(DEFAULT.check(URI.create("https://[::1]:8443/hook")).refusedBy()).isEqualTo(AddressRule.LOOPBACK);
		assertThat(DEFAULT.check(URI.create("https://[fd00::5]/hook")).refusedBy()).isEqualTo(AddressRule.UNIQUE_LOCAL);
	}

	@Test
	void anUnknownNameIsNeitherAllowedNorRefusedByARule() {
		OutboundAddressRules.Verdict verdict = DEFAULT.check("nowhere.test");
		assertThat(verdict.unresolved()).isTrue();
		assertThat(verdict.refusedBy()).isNull();
		assertThat(verdict.allowed()).isFalse();
	}

	@Test
	void anAllowedHostNameIsAllowedWhateverItResolvesTo() {
		OutboundAddressRules allowing = rules(List.of("Hub.Internal.test"), List.of(), false);
		assertThat(allowing.check("hub.internal.test").allowed()).isTrue();
		assertThat(allowing.check("inside.test").refusedBy()).isEqualTo(AddressRule.PRIVATE);
	}

	@Test
	void anAllowedBlockAllowsOnlyTheAddressesInIt() {
		OutboundAddressRules allowing = rules(List.of(), List.of("10.20.0.0/16", "::1/128"), false);
		assertThat(allowing.check("hub.internal.test").allowed()).isTrue();
		assertThat(allowing.check("10.21.0.1").refusedBy()).isEqualTo(AddressRule.PRIVATE);
		assertThat(allowing.check("::1").allowed()).isTrue();
		assertThat(allowing.check("localhost").refusedBy()).as("127.0.0.1 is not in the blocks").isEqualTo(AddressRule.LOOPBACK);
	}

	@Test
	void sandboxModeAllowsLoopbackAndNothingElseInside() {
		OutboundAddressRules sandbox = rules(List.of(), List.of(), true);
		assertThat(sandbox.check("localhost").allowed()).isTrue();
		assertThat(sandbox.check("127.0.0.1").allowed()).isTrue();
		assertThat(sandbox.check("10.0.0.1").refusedBy()).isEqualTo(AddressRule.PRIVATE);
		assertThat(sandbox.check("169.254.169.254").refusedBy()).isEqualTo(AddressRule.LINK_LOCAL);
	}

	@Test
	void blocksParseWithAndWithoutAPrefix() {
		assertThat(AddressBlock.parse("192.168.7.0/24").toString()).isEqualTo("192.168.7.0/24");
		assertThat(AddressBlock.parse("10.1.2.3").prefixLength()).isEqualTo(32);
		assertThat(AddressBlock.parse("fc00::/7").prefixLength()).isEqualTo(7);
	}

	@ParameterizedTest(name = "''{0}'' is not a block")
	@CsvSource({"example.org/8", "10.0.0.0/33", "10.0.0.0/x", "/8", "::1/129"})
	void badBlocksAreRefusedInPlainWords(String cidr) {
		assertThatThrownBy(() -> AddressBlock.parse(cidr)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(cidr);
	}
}
