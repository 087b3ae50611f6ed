package dev.umbra.core.route;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.dial.AddressOrder;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.PrefixedConn;
import dev.umbra.core.route.action.RuleAction;
import dev.umbra.core.sniff.SniffOutcome;
import dev.umbra.core.sniff.Sniffers;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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

  /** Most datagrams held back while sniffing (a split QUIC ClientHello takes two or three). */
  static final int MAX_SNIFF_DATAGRAMS = 8;

  /** Most bytes held back while sniffing datagrams. */
  static final int MAX_SNIFF_DATAGRAM_BYTES = 64 * 1024;

  /**
   * Sniffs the association's first datagrams: reads one, and more while a sniffer needs more (a
   * ClientHello split over several QUIC Initials), within the action's timeout and the count and
   * byte bounds. The returned connection delivers them again, in order.
   */
  static PacketResult sniffPackets(
      PacketConn conn, Sniffers sniffers, RuleAction.Sniff action, Metadata m) throws IOException {
    if (m.protocol() != null) {
      return new PacketResult(conn, m);
    }
    List<ReplayPacketConn.Datagram> held = new ArrayList<>();
    List<ByteBuffer> datagrams = new ArrayList<>();
    long deadline = System.nanoTime() + action.timeout().toNanos();
    int bytes = 0;
    Metadata out = m;
    ByteBuffer buf = ByteBuffer.allocate(65535);
    try {
      while (held.size() < MAX_SNIFF_DATAGRAMS && bytes < MAX_SNIFF_DATAGRAM_BYTES) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          break;
        }
        conn.setReadTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left)));
        buf.clear();
        Destination from;
        try {
          from = conn.receive(buf);
        } catch (SocketTimeoutException e) {
          break;
        }
        buf.flip();
        ByteBuffer copy = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
        bytes += copy.remaining();
        held.add(new ReplayPacketConn.Datagram(copy, from));
        datagrams.add(copy);
        SniffOutcome o = sniffers.sniffPackets(action.sniffers(), datagrams);
        if (o instanceof SniffOutcome.Match match) {
          out = m.withSniffed(match.result().protocol(), match.result().domain());
          LOG.debug(
              "[{}] sniffed {} {} {}",
              m.inbound(),
              match.result().protocol(),
              match.result().domain(),
              match.result().alpn());
          break;
        }
        if (o instanceof SniffOutcome.NoMatch) {
          break;
        }
      }
    } finally {
      conn.setReadTimeout(0);
    }
    return new PacketResult(held.isEmpty() ? conn : new ReplayPacketConn(conn, held), out);
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
