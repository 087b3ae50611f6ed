package dev.umbra.proxy.block;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.RejectedException;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import java.util.EnumSet;
import java.util.Set;

/** Refuses everything (sing-box's legacy {@code block}; the {@code reject} action is preferred). */
public final class BlockOutbound implements Outbound {
  /** The block outbound has no fields. */
  public record Options() {}

  private final String tag;

  public BlockOutbound(String tag) {
    this.tag = tag;
  }

  @Override
  public Conn dial(Metadata metadata) throws RejectedException {
    throw new RejectedException("blocked by outbound '" + tag + "'");
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws RejectedException {
    throw new RejectedException("blocked by outbound '" + tag + "'");
  }

  @Override
  public Set<Network> networks() {
    return EnumSet.allOf(Network.class);
  }

  @Override
  public String type() {
    return "block";
  }

  @Override
  public String tag() {
    return tag;
  }
}
