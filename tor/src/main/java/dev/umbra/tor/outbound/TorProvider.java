package dev.umbra.tor.outbound;

import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;

/** Registers the {@code tor} outbound. */
public final class TorProvider implements ProtocolProvider {
  @Override
  public void register(Registry r) {
    r.outbound("tor", TorOutboundOptions.class, (c, tag, o) -> new TorOutbound(tag, o));
  }
}
