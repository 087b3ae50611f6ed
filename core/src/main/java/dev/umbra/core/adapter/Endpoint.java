package dev.umbra.core.adapter;

/** Both ends at once (WireGuard, tailnet): an outbound that also feeds the router. */
public interface Endpoint extends Outbound, Lifecycle {}
