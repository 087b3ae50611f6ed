package dev.umbra.proxy.direct;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Connects straight to the destination with the dial fields, to the addresses a {@code resolve}
 * rule action found if there are any (as sing-box does).
 */
public final class DirectOutbound implements Outbound {
  private final String tag;
  private final Dialer dialer;
  private final String detour;

  public DirectOutbound(String tag, DirectOutboundOptions options, Dialer dialer) {
    this.tag = tag;
    this.dialer = dialer;
    this.detour = options.dial() == null ? null : options.dial().detour();
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    return dialer.dial(metadata.destination(), metadata.destinationAddresses());
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    return dialer.listenPacket(metadata.destination(), metadata.destinationAddresses());
  }

  @Override
  public Set<Network> networks() {
    return EnumSet.allOf(Network.class);
  }

  @Override
  public List<String> dependencies() {
    return detour == null ? List.of() : List.of(detour);
  }

  @Override
  public String type() {
    return "direct";
  }

  @Override
  public String tag() {
    return tag;
  }
}
