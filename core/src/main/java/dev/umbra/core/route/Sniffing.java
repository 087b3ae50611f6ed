package dev.umbra.core.route;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.dial.AddressOrder;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.PrefixedConn;
import dev.umbra.core.net.PrefixedPacketConn;
import dev.umbra.core.route.action.RuleAction;
import dev.umbra.core.sniff.SniffOutcome;
import dev.umbra.core.sniff.Sniffers;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sniff and resolve actions. */
final class Sniffing {
  private static final Logger LOG = LoggerFactory.getLogger(Sniffing.class);

  /** Most bytes read while sniffing a stream (a large ClientHello fits). */
  static final int MAX_SNIFF_BYTES = 16 * 1024;

  private Sniffing() {}

  record Result(Conn conn, Metadata metadata) {}

  /**
   * Reads the client's first bytes until a sniffer decides or the timeout passes, then hands back a
   * connection that serves those bytes again.
   */
  static Result sniffStream(Conn conn, Sniffers sniffers, RuleAction.Sniff action, Metadata m)
      throws IOException {
    if (m.protocol() != null) {
      return new Result(conn, m);
    }
    byte[] buf = new byte[MAX_SNIFF_BYTES];
    int len = 0;
    long deadline = System.nanoTime() + action.timeout().toNanos();
    InputStream in = conn.in();
    Metadata out = m;
    try {
      while (len < buf.length) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          break;
        }
        conn.setReadTimeout((int) Math.max(1, left));
        int n;
        try {
          n = in.read(buf, len, buf.length - len);
        } catch (SocketTimeoutException e) {
          break;
        }
        if (n < 0) {
          break;
        }
        len += n;
        SniffOutcome o =
            sniffers.sniff(Network.TCP, action.sniffers(), ByteBuffer.wrap(buf, 0, len));
        if (o instanceof SniffOutcome.Match match) {
          out = m.withSniffed(match.result().protocol(), match.result().domain());
          LOG.debug(
              "[{}] sniffed {} {}",
              m.inbound(),
              match.result().protocol(),
              match.result().domain());
          break;
        }
        if (o instanceof SniffOutcome.NoMatch) {
          break;
        }
      }
    } finally {
      conn.setReadTimeout(0);
    }
    return new Result(new PrefixedConn(conn, buf, len), out);
  }

  record PacketResult(PacketConn conn, Metadata metadata) {}

  /** Sniffs the association's first datagram, which the returned connection delivers again. */
  static PacketResult sniffPackets(
      PacketConn conn, Sniffers sniffers, RuleAction.Sniff action, Metadata m) throws IOException {
    if (m.protocol() != null) {
      return new PacketResult(conn, m);
    }
    ByteBuffer first = ByteBuffer.allocate(65535);
    Destination from;
    conn.setReadTimeout((int) Math.max(1, action.timeout().toMillis()));
    try {
      from = conn.receive(first);
    } catch (SocketTimeoutException e) {
      return new PacketResult(conn, m);
    } finally {
      conn.setReadTimeout(0);
    }
    first.flip();
    Metadata out = m;
    if (sniffers.sniff(Network.UDP, action.sniffers(), first.duplicate())
        instanceof SniffOutcome.Match match) {
      out = m.withSniffed(match.result().protocol(), match.result().domain());
      LOG.debug(
          "[{}] sniffed {} {}", m.inbound(), match.result().protocol(), match.result().domain());
    }
    return new PacketResult(new PrefixedPacketConn(conn, first, from), out);
  }

  static Metadata resolve(Metadata m, RuleAction.Resolve action, Resolver resolver) {
    if (!(m.destination() instanceof Destination.Domain d)) {
      return m;
    }
    try {
      List<InetAddress> all = resolver.resolve(d.name());
      return m.withDestinationAddresses(AddressOrder.apply(action.strategy(), all));
    } catch (IOException e) {
      LOG.info("[{}] resolve {}: {}", m.inbound(), d.name(), e.getMessage());
      return m;
    }
  }
}
