package dev.umbra.proxy.trojan;

import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;

/** Registers the {@code trojan} inbound and outbound. */
public final class TrojanProvider implements ProtocolProvider {
  @Override
  public void register(Registry r) {
    r.inbound("trojan", TrojanInboundOptions.class, (c, tag, o) -> new TrojanInbound(tag, o, c));
    r.outbound(
        "trojan",
        TrojanOutboundOptions.class,
        (c, tag, o) -> new TrojanOutbound(tag, o, c.dialer(o.dial())));
  }
}
