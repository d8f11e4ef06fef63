package org.spgateway.server;

/**
 * A marker: every Spring bean implementing it is registered on the RestfulServer as an interceptor, after
 * {@code RequestGate} (so the caller is known to it) and before the gateway's own metrics and error handling.
 */
public interface ServerInterceptor {
}
