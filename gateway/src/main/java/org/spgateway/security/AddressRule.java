package org.spgateway.security;

import java.util.Arrays;
import java.util.List;

/** Why an outbound address is refused: each names the ranges it covers, for the caller and docs/security.md. */
public enum AddressRule {

	LOOPBACK("loopback", "127.0.0.0/8", "::1/128"),
	UNSPECIFIED("unspecified", "0.0.0.0/8", "::/128"),
	LINK_LOCAL("link-local", "169.254.0.0/16", "fe80::/10"),
	PRIVATE("private", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
	UNIQUE_LOCAL("unique-local", "fc00::/7"),
	SHARED("carrier-grade NAT", "100.64.0.0/10"),
	MULTICAST("multicast", "224.0.0.0/4", "ff00::/8"),
	RESERVED("reserved", "240.0.0.0/4"),
	/** An address of one of the gateway's own network interfaces, or the host of its public base URL. */
	GATEWAY_ITSELF("the gateway itself");

	private final String label;
	private final List<AddressBlock> blocks;

	AddressRule(String label, String... cidrs) {
		this.label = label;
		this.blocks = Arrays.stream(cidrs).map(AddressBlock::parse).toList();
	}

	/** The rule's name as callers read it, e.g. {@code loopback}. */
	public String label() {
		return label;
	}

	public List<AddressBlock> blocks() {
		return blocks;
	}

	/** The ranges in words, e.g. {@code 127.0.0.0/8, ::1/128}. */
	public String ranges() {
		return String.join(", ", blocks.stream().map(AddressBlock::toString).toList());
	}
}
