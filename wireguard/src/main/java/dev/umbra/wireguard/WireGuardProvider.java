package dev.umbra.wireguard;

import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;
import dev.umbra.wireguard.endpoint.WireGuardEndpoint;
import dev.umbra.wireguard.endpoint.WireGuardEndpointOptions;

/** Registers the {@code wireguard} endpoint. */
public final class WireGuardProvider implements ProtocolProvider {
  @Override
  public void register(Registry r) {
    r.endpoint(
        "wireguard",
        WireGuardEndpointOptions.class,
        (c, tag, o) -> new WireGuardEndpoint(tag, o, c));
  }
}
