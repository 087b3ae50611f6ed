package dev.umbra.proxy.vmess;

import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;

/** Registers the {@code vmess} inbound and outbound. */
public final class VmessProvider implements ProtocolProvider {
  @Override
  public void register(Registry r) {
    r.inbound("vmess", VmessInboundOptions.class, (c, tag, o) -> new VmessInbound(tag, o, c));
    r.outbound(
        "vmess",
        VmessOutboundOptions.class,
        (c, tag, o) -> new VmessOutbound(tag, o, c.dialer(o.dial())));
  }
}
