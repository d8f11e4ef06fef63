package org.spgateway.security;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gateway.outbound.*}: where the gateway may send notifications and feedback. By default it
 * refuses any address on the gateway's own host or an internal network (docs/security.md lists the
 * ranges); these settings let an operator allow named receivers that really are internal.
 */
@ConfigurationProperties(prefix = "gateway.outbound")
public class OutboundProperties {

	/**
	 * Host names (exactly as written in the URL, case-insensitive) the gateway may call whatever they
	 * resolve to, e.g. {@code gp-hub.internal.example.nhs.uk}.
	 */
	private List<String> allowedHosts = new ArrayList<>();

	/**
	 * Address blocks the gateway may call, in CIDR notation, e.g. {@code 10.20.0.0/16} or
	 * {@code 127.0.0.1/32}; checked against every address a receiver's host name resolves to.
	 */
	private List<String> allowedCidrs = new ArrayList<>();

	public List<String> getAllowedHosts() {
		return allowedHosts;
	}

	public void setAllowedHosts(List<String> allowedHosts) {
		this.allowedHosts = allowedHosts;
	}

	public List<String> getAllowedCidrs() {
		return allowedCidrs;
	}

	public void setAllowedCidrs(List<String> allowedCidrs) {
		this.allowedCidrs = allowedCidrs;
	}
}
