package org.spgateway.security;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Whether the gateway may call a receiver's address. A receiver is registered by the caller
 * (Subscription.channel.endpoint, Endpoint.address), so without this check anyone could make the
 * gateway call its own host or the internal network behind it (server-side request forgery). Every
 * address a host name resolves to must be public, unless the operator lists the host or its block in
 * {@code gateway.outbound.*}; sandbox mode also allows loopback so testers can use local tools.
 *
 * <p>Checked when the address is written and again just before each delivery, since DNS can change.
 */
public class OutboundAddressRules {

	/** Looks a host name up; {@link InetAddress#getAllByName} outside tests. */
	@FunctionalInterface
	public interface HostResolver {
		InetAddress[] resolve(String host) throws UnknownHostException;
	}

	/** The answer for one host: allowed (with the addresses checked), refused by a rule, or not found in DNS. */
	public record Verdict(AddressRule refusedBy, List<InetAddress> addresses, boolean unresolved) {

		public boolean allowed() {
			return refusedBy == null && !unresolved;
		}
	}

	private final HostResolver resolver;
	private final Set<String> allowedHosts;
	private final List<AddressBlock> allowedBlocks;
	private final boolean allowLoopback;
	private final String ownHost;
	private final Supplier<Set<InetAddress>> ownAddresses;

	/**
	 * @param ownHost the host of the gateway's public base URL, or null
	 * @param ownAddresses the addresses of the gateway's network interfaces
	 */
	public OutboundAddressRules(HostResolver resolver, List<String> allowedHosts, List<AddressBlock> allowedBlocks, boolean allowLoopback,
			String ownHost, Supplier<Set<InetAddress>> ownAddresses) {
		this.resolver = resolver;
		this.allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
		this.allowedBlocks = List.copyOf(allowedBlocks);
		this.allowLoopback = allowLoopback;
		this.ownHost = ownHost == null ? null : ownHost.toLowerCase(Locale.ROOT);
		this.ownAddresses = ownAddresses;
	}

	/** The verdict on a URL's host; a URL without a host is unresolved. */
	public Verdict check(URI uri) {
		String host = uri.getHost();
		if (host == null) {
			return new Verdict(null, List.of(), true);
		}
		// URI keeps the brackets of an IPv6 literal; the resolver wants the bare address.
		return check(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
	}

	public Verdict check(String host) {
		String name = host.toLowerCase(Locale.ROOT);
		if (allowedHosts.contains(name)) {
			return new Verdict(null, List.of(), false);
		}
		if (name.equals(ownHost)) {
			return new Verdict(AddressRule.GATEWAY_ITSELF, List.of(), false);
		}
		InetAddress[] addresses;
		try {
			addresses = resolver.resolve(name);
		} catch (UnknownHostException e) {
			return new Verdict(null, List.of(), true);
		}
		if (addresses == null || addresses.length == 0) {
			return new Verdict(null, List.of(), true);
		}
		Set<InetAddress> own = null;
		for (InetAddress address : addresses) {
			if (allowedBlocks.stream().anyMatch(b -> b.contains(address))) {
				continue;
			}
			AddressRule rule = ruleFor(address);
			if (rule == AddressRule.LOOPBACK && allowLoopback) {
				continue;
			}
			if (rule == null) {
				own = own != null ? own : ownAddresses.get();
				rule = own.contains(address) ? AddressRule.GATEWAY_ITSELF : null;
			}
			if (rule != null) {
				// One internal address is enough: the HTTP client may pick any of them.
				return new Verdict(rule, List.of(addresses), false);
			}
		}
		return new Verdict(null, List.of(addresses), false);
	}

	/** The rule an address falls under, null for a public address. */
	static AddressRule ruleFor(InetAddress address) {
		for (AddressRule rule : AddressRule.values()) {
			if (rule.blocks().stream().anyMatch(b -> b.contains(address))) {
				return rule;
			}
		}
		return null;
	}
}
