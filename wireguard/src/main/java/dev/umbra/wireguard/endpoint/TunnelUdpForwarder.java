package dev.umbra.wireguard.endpoint;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import dev.umbra.netstack.IpPackets;
import dev.umbra.netstack.Link;
import dev.umbra.netstack.Udp;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP from peers to any address (a forwarder, like gVisor's): each (source, destination) pair
 * becomes a {@link PacketConn} handed to {@link Handler#flow} on its own virtual thread; replies
 * written to it go back into the tunnel as IP packets from the address they came from. Flows and
 * their queues are bounded; a flow ends when the router closes it (idle timeout).
 */
final class TunnelUdpForwarder implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(TunnelUdpForwarder.class);
  static final int MAX_FLOWS = 4096;
  static final int QUEUE = 256;

  /**
   * Receives each new flow; runs on the flow's own virtual thread and may block for its life.
   * {@code destination} is the routed one (see {@link #TunnelUdpForwarder}).
   */
  @FunctionalInterface
  interface Handler {
    void flow(PacketConn conn, InetSocketAddress source, InetSocketAddress destination);
  }

  private record Key(InetSocketAddress source, InetSocketAddress destination) {}

  private final Link link;
  private final Duration idleTimeout;
  private final Handler handler;
  private final UnaryOperator<InetSocketAddress> mapDestination;
  private final Map<Key, Flow> flows = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * {@code mapDestination} turns a packet's destination into the one the router sees (sing-box
   * routes the endpoint's own addresses to loopback); replies from that address go back from the
   * original one.
   */
  TunnelUdpForwarder(
      Link link,
      Duration idleTimeout,
      UnaryOperator<InetSocketAddress> mapDestination,
      Handler handler) {
    this.link = link;
    this.mapDestination = mapDestination;
    this.idleTimeout = idleTimeout;
    this.handler = handler;
  }

  int flowCount() {
    return flows.size();
  }

  /** Takes one IP packet carrying UDP; malformed ones are dropped with a debug line. */
  void input(byte[] p, int off, int len) {
    if (closed) {
      return;
    }
    int version = IpPackets.version(p, off, len);
    int total = IpPackets.packetLength(p, off, len);
    if (version == 0 || total < 0) {
      return;
    }
    int hdr;
    if (version == 4) {
      hdr = (p[off] & 0xf) * 4;
      if ((IpPackets.u16(p, off + 6) & 0x3fff) != 0 || p[off + 9] != IpPackets.PROTO_UDP) {
        LOG.debug("dropped an IPv4 fragment or non-UDP packet in the UDP forwarder");
        return;
      }
    } else {
      hdr = 40;
      if (p[off + 6] != IpPackets.PROTO_UDP) {
        return; // extension headers are not followed
      }
    }
    int u = off + hdr;
    if (total - hdr < Udp.HEADER) {
      return;
    }
    int udpLen = IpPackets.u16(p, u + 4);
    if (udpLen < Udp.HEADER || udpLen > total - hdr) {
      LOG.debug("dropped a forwarded UDP datagram with a bad length");
      return;
    }
    int alen = IpPackets.addressLength(version);
    int srcOff = off + IpPackets.sourceOffset(version);
    int dstOff = off + IpPackets.destinationOffset(version);
    if (!checksumOk(p, u, udpLen, p, srcOff, dstOff, alen)) {
      LOG.debug("dropped a forwarded UDP datagram with a bad checksum");
      return;
    }
    InetSocketAddress src;
    InetSocketAddress dst;
    try {
      src =
          new InetSocketAddress(
              InetAddress.getByAddress(Arrays.copyOfRange(p, srcOff, srcOff + alen)),
              IpPackets.u16(p, u));
      dst =
          new InetSocketAddress(
              InetAddress.getByAddress(Arrays.copyOfRange(p, dstOff, dstOff + alen)),
              IpPackets.u16(p, u + 2));
    } catch (UnknownHostException e) {
      return;
    }
    if (dst.getPort() == 0) {
      return;
    }
    byte[] data = Arrays.copyOfRange(p, u + Udp.HEADER, u + udpLen);
    Key key = new Key(src, dst);
    Flow flow = flows.get(key);
    if (flow == null) {
      if (flows.size() >= MAX_FLOWS) {
        LOG.debug(
            "UDP forwarder at its limit of {} flows; datagram from {} dropped", MAX_FLOWS, src);
        return;
      }
      Flow fresh = new Flow(key);
      flow = flows.putIfAbsent(key, fresh);
      if (flow == null) {
        flow = fresh;
        Thread.ofVirtual().name("wg-udp-flow").start(() -> run(fresh));
      }
    }
    if (!flow.queue.offer(data)) {
      LOG.debug("UDP flow {} -> {} is full; datagram dropped", src, dst);
    }
  }

  private void run(Flow flow) {
    try {
      handler.flow(flow, flow.key.source(), flow.routed);
    } catch (RuntimeException e) {
      LOG.warn("UDP flow {} -> {} failed", flow.key.source(), flow.key.destination(), e);
    } finally {
      flow.close();
    }
  }

  private static boolean checksumOk(
      byte[] p, int u, int udpLen, byte[] a, int srcOff, int dstOff, int alen) {
    int stored = IpPackets.u16(p, u + 6);
    if (stored == 0) {
      return alen == 4;
    }
    long acc = IpPackets.sum(a, srcOff, alen, 0);
    acc = IpPackets.sum(a, dstOff, alen, acc);
    acc += IpPackets.PROTO_UDP + udpLen;
    return IpPackets.fold(IpPackets.sum(p, u, udpLen, acc)) == 0;
  }

  @Override
  public void close() {
    closed = true;
    for (Flow f : List.copyOf(flows.values())) {
      f.close();
    }
  }

  /** One flow: datagrams from the peer's client to one destination, and replies back. */
  private final class Flow implements PacketConn {
    private static final byte[] CLOSED = new byte[0];
    final Key key;
    final InetSocketAddress routed;
    final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    private volatile int timeoutMillis;
    private volatile boolean done;

    Flow(Key key) {
      this.key = key;
      this.routed = mapDestination.apply(key.destination());
    }

    @Override
    public Destination receive(ByteBuffer into) throws IOException {
      if (done) {
        throw new ClosedChannelException();
      }
      byte[] d;
      try {
        int t = timeoutMillis;
        d = t > 0 ? queue.poll(t, TimeUnit.MILLISECONDS) : queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
      if (d == null) {
        throw new SocketTimeoutException("no datagram within " + timeoutMillis + " ms");
      }
      if (d == CLOSED) {
        queue.offer(CLOSED);
        throw new ClosedChannelException();
      }
      into.put(d, 0, Math.min(d.length, into.remaining()));
      return Destination.of(routed);
    }

    @Override
    public void send(ByteBuffer from, Destination to) throws IOException {
      if (done) {
        throw new ClosedChannelException();
      }
      if (!(to instanceof Destination.Ip ip)) {
        throw new IOException("a reply into the tunnel needs an IP source, not " + to);
      }
      InetSocketAddress replyFrom =
          ip.socketAddress().equals(routed) ? key.destination() : ip.socketAddress();
      byte[] srcAddr = replyFrom.getAddress().getAddress();
      byte[] clientAddr = key.source().getAddress().getAddress();
      if (srcAddr.length != clientAddr.length) {
        throw new IOException("reply from " + to + " does not match the client's address family");
      }
      byte[] data = new byte[from.remaining()];
      from.get(data);
      if (data.length > 65535 - 48) {
        throw new IOException("datagram of " + data.length + " bytes is too large");
      }
      byte[] packet =
          Udp.packet(
              srcAddr,
              replyFrom.getPort(),
              clientAddr,
              key.source().getPort(),
              data,
              0,
              data.length);
      link.send(packet, 0, packet.length);
    }

    @Override
    public void setReadTimeout(int millis) {
      timeoutMillis = millis;
    }

    @Override
    public Duration idleTimeout() {
      return idleTimeout;
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        flows.remove(key, this);
        queue.clear();
        queue.offer(CLOSED);
      }
    }
  }
}
