package org.spgateway.security;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spgateway.config.GatewayProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The outbound address rules every producer of outbound calls and the outbox share. */
@Configuration(proxyBeanMethods = false)
public class OutboundConfig {

	private static final Logger log = LoggerFactory.getLogger(OutboundConfig.class);

	@Bean
	OutboundAddressRules outboundAddressRules(OutboundProperties properties, GatewayProperties gateway,
			ObjectProvider<OutboundAddressRules.HostResolver> resolver) {
		List<AddressBlock> blocks;
		try {
			blocks = properties.getAllowedCidrs().stream().filter(c -> !c.isBlank()).map(AddressBlock::parse).toList();
		} catch (IllegalArgumentException e) {
			throw new IllegalStateException("gateway.outbound.allowed-cidrs: " + e.getMessage());
		}
		if (gateway.isSandbox()) {
			log.warn("SANDBOX MODE: outbound calls to loopback receivers (localhost) are allowed");
		}
		String ownHost = null;
		if (gateway.getPublicBaseUrl() != null && !gateway.getPublicBaseUrl().isBlank()) {
			ownHost = URI.create(gateway.getPublicBaseUrl().trim()).getHost();
		}
		return new OutboundAddressRules(resolver.getIfAvailable(() -> InetAddress::getAllByName), properties.getAllowedHosts(), blocks,
				gateway.isSandbox(), ownHost, new InterfaceAddresses());
	}

	/** The addresses of this machine's network interfaces, looked up at most once a minute (they rarely change). */
	static final class InterfaceAddresses implements Supplier<Set<InetAddress>> {

		private static final Duration FRESH = Duration.ofMinutes(1);

		private volatile Set<InetAddress> addresses;
		private volatile Instant lookedUp = Instant.EPOCH;

		@Override
		public Set<InetAddress> get() {
			if (Instant.now().isAfter(lookedUp.plus(FRESH))) {
				try {
					addresses = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
							.flatMap(i -> Collections.list(i.getInetAddresses()).stream()).collect(Collectors.toUnmodifiableSet());
				} catch (SocketException e) {
					log.warn("Could not list this machine's network interfaces: {}", e.getMessage());
					addresses = addresses != null ? addresses : Set.of();
				}
				lookedUp = Instant.now();
			}
			return addresses;
		}
	}
}
