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

  public Selector(String tag, SelectorOptions o, OutboundManager outbounds) {
    this.tag = tag;
    this.members = new Members(o.outbounds(), outbounds);
    if (o.defaultOutbound() != null && !members.tags().contains(o.defaultOutbound())) {
      throw new ConfigException(
          "default", "'" + o.defaultOutbound() + "' is not a member of this selector");
    }
    this.selected = o.defaultOutbound() != null ? o.defaultOutbound() : members.tags().getFirst();
  }

  /** Switches to another member; new connections use it. */
  public void select(String member) {
    if (!members.tags().contains(member)) {
      throw new IllegalArgumentException(
          "'" + member + "' is not a member of selector '" + tag + "'");
    }
    selected = member;
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    return members.get(selected).dial(metadata);
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    return members.get(selected).listenPacket(metadata);
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
