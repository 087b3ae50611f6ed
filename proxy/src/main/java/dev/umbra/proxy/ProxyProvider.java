package dev.umbra.proxy;

import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;
import dev.umbra.proxy.block.BlockOutbound;
import dev.umbra.proxy.direct.DirectInbound;
import dev.umbra.proxy.direct.DirectInboundOptions;
import dev.umbra.proxy.direct.DirectOutbound;
import dev.umbra.proxy.direct.DirectOutboundOptions;
import dev.umbra.proxy.http.HttpInbound;
import dev.umbra.proxy.http.HttpInboundOptions;
import dev.umbra.proxy.http.HttpOutbound;
import dev.umbra.proxy.http.HttpOutboundOptions;
import dev.umbra.proxy.mixed.MixedInbound;
import dev.umbra.proxy.socks.SocksInbound;
import dev.umbra.proxy.socks.SocksInboundOptions;
import dev.umbra.proxy.socks.SocksOutbound;
import dev.umbra.proxy.socks.SocksOutboundOptions;

/** Registers the local proxy protocols: direct, block, socks, http, mixed. */
public final class ProxyProvider implements ProtocolProvider {
  @Override
  public void register(Registry r) {
    r.inbound("direct", DirectInboundOptions.class, (c, tag, o) -> new DirectInbound(tag, o, c));
    r.inbound("socks", SocksInboundOptions.class, (c, tag, o) -> new SocksInbound(tag, o, c));
    r.inbound("http", HttpInboundOptions.class, (c, tag, o) -> new HttpInbound(tag, o, c));
    r.inbound("mixed", HttpInboundOptions.class, (c, tag, o) -> new MixedInbound(tag, o, c));
    r.outbound(
        "direct",
        DirectOutboundOptions.class,
        (c, tag, o) -> new DirectOutbound(tag, o, c.dialer(o.dial())));
    r.outbound("block", BlockOutbound.Options.class, (c, tag, o) -> new BlockOutbound(tag));
    r.outbound(
        "socks",
        SocksOutboundOptions.class,
        (c, tag, o) -> new SocksOutbound(tag, o, c.dialer(o.dial())));
    r.outbound(
        "http",
        HttpOutboundOptions.class,
        (c, tag, o) -> new HttpOutbound(tag, o, c.dialer(o.dial())));
  }
}
