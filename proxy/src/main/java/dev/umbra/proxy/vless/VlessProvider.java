package dev.umbra.proxy.vless;

import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;

/** Registers the {@code vless} inbound and outbound. */
public final class VlessProvider implements ProtocolProvider {
  @Override
  public void register(Registry r) {
    r.inbound("vless", VlessInboundOptions.class, (c, tag, o) -> new VlessInbound(tag, o, c));
    r.outbound(
        "vless",
        VlessOutboundOptions.class,
        (c, tag, o) -> new VlessOutbound(tag, o, c.dialer(o.dial())));
  }
}
