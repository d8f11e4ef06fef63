package org.spgateway.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}). */
public record AddressBlock(byte[] network, int prefixLength) {

	/** Parses {@code address/prefix}; a bare address is a block of one. Only literal addresses, never a DNS lookup. */
	public static AddressBlock parse(String cidr) {
		String text = cidr.trim();
		int slash = text.indexOf('/');
		String address = slash < 0 ? text : text.substring(0, slash);
		if (address.isEmpty() || !address.matches("[0-9a-fA-F.:]+")) {
			throw new IllegalArgumentException("'" + cidr + "' is not an IP address block such as 10.0.0.0/8 or fd00::/8");
		}
		byte[] bytes;
		try {
			bytes = InetAddress.getByName(address).getAddress();
		} catch (UnknownHostException e) {
			throw new IllegalArgumentException("'" + cidr + "' is not an IP address block such as 10.0.0.0/8 or fd00::/8");
		}
		int prefix;
		try {
			prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException("'" + cidr + "' has a prefix length that is not a number");
		}
		if (prefix < 0 || prefix > bytes.length * 8) {
			throw new IllegalArgumentException("'" + cidr + "' has a prefix length outside 0.." + bytes.length * 8);
		}
		return new AddressBlock(bytes, prefix);
	}

	public boolean contains(InetAddress address) {
		byte[] candidate = address.getAddress();
		if (candidate.length != network.length) {
			return false;
		}
		int whole = prefixLength / 8;
		if (!Arrays.equals(candidate, 0, whole, network, 0, whole)) {
			return false;
		}
		int rest = prefixLength % 8;
		if (rest == 0) {
			return true;
		}
		int mask = 0xff << (8 - rest) & 0xff;
		return (candidate[whole] & mask) == (network[whole] & mask);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof AddressBlock b && b.prefixLength == prefixLength && Arrays.equals(b.network, network);
	}

	@Override
	public int hashCode() {
		return 31 * Arrays.hashCode(network) + prefixLength;
	}

	@Override
	public String toString() {
		try {
			return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
		} catch (UnknownHostException e) {
			return Arrays.toString(network) + "/" + prefixLength;
		}
	}
}
