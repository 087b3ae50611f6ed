package dev.umbra.core.dial;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A UDP socket that sends datagrams addressed to a domain to the address the dialer's resolver gave
 * for it (asked once per domain while the socket lives), and reports answers from that address
 * under the domain again, so the other side of a relay sees the destination it asked for.
 */
final class ResolvingPacketConn implements PacketConn {
  /** Domains kept per socket: a peer sending to ever new names must not grow it without bound. */
  static final int MAX_DOMAINS = 256;

  interface Lookup {
    InetAddress address(Destination.Domain domain) throws IOException;
  }

  private final PacketConn inner;
  private final Lookup lookup;
  private final Map<String, InetAddress> byName = boundedMap();
  private final Map<InetAddress, String> byAddress = new HashMap<>();

  ResolvingPacketConn(PacketConn inner, Lookup lookup) {
    this.inner = inner;
    this.lookup = lookup;
  }

  /** Uses {@code address} for {@code domain} without asking the resolver. */
  synchronized void remember(Destination.Domain domain, InetAddress address) {
    byName.put(domain.name(), address);
    byAddress.putIfAbsent(address, domain.name());
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    Destination from = inner.receive(into);
    synchronized (this) {
      String name = from instanceof Destination.Ip ip ? byAddress.get(ip.address()) : null;
      return name != null ? new Destination.Domain(name, from.port()) : from;
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    inner.send(from, to instanceof Destination.Domain d ? target(d) : to);
  }

  private Destination.Ip target(Destination.Domain d) throws IOException {
    InetAddress known;
    synchronized (this) {
      known = byName.get(d.name());
    }
    if (known == null) {
      known = lookup.address(d); // outside the lock: a slow resolver must not hold up receive
      remember(d, known);
    }
    return new Destination.Ip(known, d.port());
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    inner.setReadTimeout(millis);
  }

  @Override
  public Duration idleTimeout() {
    return inner.idleTimeout();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }

  private Map<String, InetAddress> boundedMap() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, InetAddress> eldest) {
        if (size() <= MAX_DOMAINS) {
          return false;
        }
        byAddress.remove(eldest.getValue(), eldest.getKey());
        return true;
      }
    };
  }
}
