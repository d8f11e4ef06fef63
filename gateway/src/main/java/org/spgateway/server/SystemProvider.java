package org.spgateway.server;

/**
 * Marker for providers of system-level interactions and operations (transaction/batch, and later
 * $process-message); every bean of this type is registered on the RestfulServer.
 */
public interface SystemProvider {}
