package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;

/** Registers the {@code shadowsocks} inbound and outbound. */
public final class ShadowsocksProvider implements ProtocolProvider {
  @Override
  public void register(Registry r) {
    r.inbound(
        "shadowsocks",
        ShadowsocksInboundOptions.class,
        (c, tag, o) -> new ShadowsocksInbound(tag, o, c));
    r.outbound(
        "shadowsocks",
        ShadowsocksOutboundOptions.class,
        (c, tag, o) -> new ShadowsocksOutbound(tag, o, c.dialer(o.dial())));
  }
}
