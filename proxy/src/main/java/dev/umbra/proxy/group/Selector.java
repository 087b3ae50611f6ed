package dev.umbra.proxy.group;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.OutboundGroup;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** Uses the member chosen by hand (default: {@code default}, else the first). */
public final class Selector implements OutboundGroup {
  private final String tag;
  private final Members members;
  private volatile String selected;
  private final LiveConnections live;

  public Selector(String tag, SelectorOptions o, OutboundManager outbounds) {
    this.tag = tag;
    this.members = new Members(o.outbounds(), outbounds);
    if (o.defaultOutbound() != null && !members.tags().contains(o.defaultOutbound())) {
      throw new ConfigException(
          "default", "'" + o.defaultOutbound() + "' is not a member of this selector");
    }
    this.selected = o.defaultOutbound() != null ? o.defaultOutbound() : members.tags().getFirst();
    this.live = Boolean.TRUE.equals(o.interruptExistConnections()) ? new LiveConnections() : null;
  }

  /**
   * Switches to another member; new connections use it. With {@code interrupt_exist_connections}
   * the connections opened through the previous member are closed.
   */
  public void select(String member) {
    if (!members.tags().contains(member)) {
      throw new IllegalArgumentException(
          "'" + member + "' is not a member of selector '" + tag + "'");
    }
    String previous = selected;
    selected = member;
    if (live != null && !member.equals(previous)) {
      live.closeAll(tag, "switched from " + previous + " to " + member);
    }
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    Conn c = members.get(selected).dial(metadata);
    return live == null ? c : live.add(c);
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    PacketConn c = members.get(selected).listenPacket(metadata);
    return live == null ? c : live.add(c);
  }

  @Override
  public List<String> members() {
    return members.tags();
  }

  @Override
  public String now() {
    return selected;
  }

  @Override
  public List<String> dependencies() {
    return members.tags();
  }

  @Override
  public Set<Network> networks() {
    return members.networks();
  }

  @Override
  public String type() {
    return "selector";
  }

  @Override
  public String tag() {
    return tag;
  }
}
