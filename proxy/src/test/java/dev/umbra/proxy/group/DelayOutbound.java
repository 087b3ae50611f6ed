package dev.umbra.proxy.group;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;
import java.io.IOException;
import java.net.ConnectException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test-only outbound "test-delay": dials directly after a delay, or fails while marked down. Tests
 * flip members up and down through {@link #DOWN}.
 */
public final class DelayOutbound implements Outbound {
  /** Options: the delay before each dial. */
  public record Options(@Flatten DialOptions dial, Integer delayMs) {}

  static final Map<String, Boolean> DOWN = new ConcurrentHashMap<>();

  /**
   * Dials per member to destinations named "localhost"; health probes (which go to 127.0.0.1 and
   * run in the background) are left out so tests can count their own dials.
   */
  static final Map<String, Integer> DIALS = new ConcurrentHashMap<>();

  private final String tag;
  private final int delay;
  private final Dialer dialer;

  DelayOutbound(String tag, Options o, Dialer dialer) {
    this.tag = tag;
    this.delay = o.delayMs() == null ? 0 : o.delayMs();
    this.dialer = dialer;
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    if (metadata.destination().host().equals("localhost")) {
      DIALS.merge(tag, 1, Integer::sum);
    }
    if (DOWN.getOrDefault(tag, false)) {
      throw new ConnectException(tag + " is down");
    }
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return dialer.dial(metadata.destination());
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    return dialer.listenPacket(metadata.destination());
  }

  @Override
  public Set<Network> networks() {
    return EnumSet.allOf(Network.class);
  }

  @Override
  public String type() {
    return "test-delay";
  }

  @Override
  public String tag() {
    return tag;
  }

  /** Registers test-delay. */
  public static final class Provider implements ProtocolProvider {
    @Override
    public void register(Registry r) {
      r.outbound(
          "test-delay",
          Options.class,
          (c, tag, o) -> new DelayOutbound(tag, o, c.dialer(o.dial())));
    }
  }
}
