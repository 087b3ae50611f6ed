package dev.umbra.netstack;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A userspace IP stack over a {@link Link}: IPv4 and IPv6 for the addresses it owns, ICMPv4 echo
 * replies, UDP ports as {@link UdpSocket}s, and TCP ({@link TcpConn}): connections it dials and,
 * with a forwarder ({@link #serveTcp}), connections to any address and port. Packets for other
 * addresses (unless a forwarder takes them), fragments and malformed packets are dropped.
 *
 * <p>All TCP timers run on one scheduler thread per stack that ticks every 10 ms.
 */
public final class NetStack implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(NetStack.class);

  private static final long TICK_MILLIS = 10;

  private final List<InetAddress> addresses;
  private final Link link;
  private final StackSettings settings;
  private final Map<InetSocketAddress, UdpSocket> udp = new ConcurrentHashMap<>();
  private final Map<TcpKey, TcpConn> tcp = new ConcurrentHashMap<>();
  private final Set<TcpConn> halfOpen = new LinkedHashSet<>(); // guarded by itself; oldest first
  private final TcpStats tcpStats = new TcpStats();
  private final int tsOffset = ThreadLocalRandom.current().nextInt();
  private volatile TcpAcceptor tcpAcceptor;
  private volatile TcpConn lastTcp; // the connection the latest segment went to
  private volatile UdpAcceptor udpAcceptor;
  private final Map<InetSocketAddress, UdpFlow> flows = new ConcurrentHashMap<>();
  private ScheduledExecutorService timer; // guarded by this
  private volatile boolean closed;

  public NetStack(List<InetAddress> addresses, Link link) {
    this(addresses, link, StackSettings.defaults());
  }

  public NetStack(List<InetAddress> addresses, Link link, StackSettings settings) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("the stack needs at least one address");
    }
    this.addresses = List.copyOf(addresses);
    this.link = link;
    this.settings = settings;
  }

  public StackSettings settings() {
    return settings;
  }

  public TcpStats tcpStats() {
    return tcpStats;
  }

  /** TCP connections in any state, TIME-WAIT and SYN-RECEIVED included. */
  public int tcpConnectionCount() {
    return tcp.size();
  }

  /** Connections in SYN-RECEIVED (bounded by {@link StackSettings#maxHalfOpen}). */
  public int tcpHalfOpenCount() {
    synchronized (halfOpen) {
      return halfOpen.size();
    }
  }

  /** Connections currently in {@code state}. */
  public int tcpCount(TcpState state) {
    int n = 0;
    for (TcpConn c : tcp.values()) {
      if (c.state() == state) {
        n++;
      }
    }
    return n;
  }

  public List<InetAddress> addresses() {
    return addresses;
  }

  private boolean owns(byte[] p, int off, int len) {
    for (InetAddress a : addresses) {
      byte[] b = a.getAddress();
      if (b.length == len && Arrays.equals(b, 0, len, p, off, off + len)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Binds a UDP port on one of our addresses ({@code port} 0 picks a free one). Throws if taken.
   */
  public UdpSocket openUdp(InetAddress address, int port) throws IOException {
    if (!addresses.contains(address)) {
      throw new IOException(address + " is not an address of this stack");
    }
    for (int attempt = 0; attempt < 1000; attempt++) {
      int p = port != 0 ? port : 32768 + ThreadLocalRandom.current().nextInt(28232);
      InetSocketAddress local = new InetSocketAddress(address, p);
      UdpSocket s = new UdpSocket(this, local);
      if (udp.putIfAbsent(local, s) == null) {
        return s;
      }
      if (port != 0) {
        break;
      }
    }
    throw new IOException("UDP port " + port + " on " + address + " is in use");
  }

  void unbind(UdpSocket s) {
    udp.remove(s.localAddress(), s);
  }

  void sendUdp(InetSocketAddress local, InetAddress dst, int dstPort, byte[] data)
      throws IOException {
    byte[] src = local.getAddress().getAddress();
    byte[] d = dst.getAddress();
    if (src.length != d.length) {
      throw new IOException(
          "cannot send from " + local + " to " + dst + ": address families differ");
    }
    if (data.length > 65535 - Udp.HEADER - (src.length == 4 ? 20 : 0)) {
      throw new IOException("datagram of " + data.length + " bytes is too large");
    }
    byte[] p = Udp.packet(src, local.getPort(), d, dstPort, data, 0, data.length);
    link.send(p, 0, p.length);
  }

  /** Takes one IP packet from the link. Never throws for bad input: it is dropped and logged. */
  public void input(byte[] p, int off, int len) {
    input(p, off, len, false);
  }

  /**
   * Takes one IP packet whose integrity the link has already proven (a WireGuard transport packet
   * that decrypted under an authenticated peer's key: it is byte for byte what the peer sent), so
   * the IPv4, TCP and UDP checksums are not verified again, as the Linux WireGuard module marks
   * such packets CHECKSUM_UNNECESSARY. Everything else is checked as in {@link #input}.
   */
  public void inputAuthenticated(byte[] p, int off, int len) {
    input(p, off, len, true);
  }

  private void input(byte[] p, int off, int len, boolean authenticated) {
    if (closed) {
      return;
    }
    int version = IpPackets.version(p, off, len);
    int total = IpPackets.packetLength(p, off, len);
    if (version == 0 || total < 0) {
      LOG.debug("dropped a malformed IP packet ({} bytes)", len);
      return;
    }
    int alen = IpPackets.addressLength(version);
    int dstOff = off + IpPackets.destinationOffset(version);
    boolean owned = owns(p, dstOff, alen);
    if (!owned && tcpAcceptor == null && udpAcceptor == null) {
      return;
    }
    int proto;
    int hdr;
    if (version == 4) {
      hdr = (p[off] & 0xf) * 4;
      if (hdr < 20
          || hdr > total
          || !authenticated && IpPackets.checksum(p, off, hdr) != 0
          || (IpPackets.u16(p, off + 6) & 0x3fff) != 0) {
        LOG.debug("dropped an IPv4 packet with a bad header checksum or a fragment");
        return;
      }
      proto = p[off + 9] & 0xff;
    } else {
      hdr = 40;
      proto = p[off + 6] & 0xff; // extension headers are not followed (dropped below)
    }
    if (!owned
        && !(proto == IpPackets.PROTO_TCP && tcpAcceptor != null)
        && !(proto == IpPackets.PROTO_UDP && udpAcceptor != null)) {
      return;
    }
    try {
      switch (proto) {
        case IpPackets.PROTO_ICMP, IpPackets.PROTO_ICMPV6 -> {
          byte[] reply = version == 4 ? Icmp4.replyTo(p, off, total) : Icmp6.replyTo(p, off, total);
          if (reply != null) {
            link.send(reply, 0, reply.length);
          }
        }
        case IpPackets.PROTO_UDP -> udpInput(p, off, total, hdr, version, authenticated);
        case IpPackets.PROTO_TCP -> tcpInput(p, off, total, hdr, version, owned, authenticated);
        default -> LOG.debug("dropped an IP packet of protocol {}", proto);
      }
    } catch (IOException e) {
      LOG.debug("link send failed: {}", e.toString());
    }
  }

  private void udpInput(byte[] p, int off, int total, int hdr, int version, boolean authenticated) {
    int u = off + hdr;
    int avail = total - hdr;
    if (avail < Udp.HEADER) {
      return;
    }
    int udpLen = IpPackets.u16(p, u + 4);
    if (udpLen < Udp.HEADER || udpLen > avail) {
      LOG.debug("dropped a UDP datagram with a bad length");
      return;
    }
    int alen = IpPackets.addressLength(version);
    byte[] src =
        Arrays.copyOfRange(
            p, off + IpPackets.sourceOffset(version), off + IpPackets.sourceOffset(version) + alen);
    byte[] dst =
        Arrays.copyOfRange(
            p,
            off + IpPackets.destinationOffset(version),
            off + IpPackets.destinationOffset(version) + alen);
    if (!authenticated && !Udp.checksumOk(p, u, udpLen, src, dst)) {
      LOG.debug("dropped a UDP datagram with a bad checksum");
      return;
    }
    InetAddress srcAddr;
    InetAddress dstAddr;
    try {
      srcAddr = InetAddress.getByAddress(src);
      dstAddr = InetAddress.getByAddress(dst);
    } catch (UnknownHostException e) {
      return;
    }
    UdpSocket s = udp.get(new InetSocketAddress(dstAddr, IpPackets.u16(p, u + 2)));
    if (s == null && udpAcceptor != null) {
      flowInput(
          new InetSocketAddress(srcAddr, IpPackets.u16(p, u)),
          dstAddr,
          IpPackets.u16(p, u + 2),
          Arrays.copyOfRange(p, u + Udp.HEADER, u + udpLen));
      return;
    }
    if (s == null) {
      LOG.debug("UDP datagram to closed port {}", IpPackets.u16(p, u + 2));
      return;
    }
    byte[] data = Arrays.copyOfRange(p, u + Udp.HEADER, u + udpLen);
    if (!s.offer(srcAddr, IpPackets.u16(p, u), data)) {
      LOG.debug("UDP socket {} is full; datagram dropped", s.localAddress());
    }
  }

  // ------------------------------------------------------------------ UDP forwarder

  /**
   * Installs the UDP forwarder: datagrams to any address and port that no bound {@link UdpSocket}
   * takes are grouped per sender into {@link UdpFlow}s offered to {@code acceptor}.
   */
  public void serveUdp(UdpAcceptor acceptor) {
    ensureTimer();
    this.udpAcceptor = acceptor;
  }

  private void flowInput(InetSocketAddress from, InetAddress dst, int dstPort, byte[] data) {
    UdpFlow f = flows.get(from);
    if (f == null) {
      UdpAcceptor acceptor = udpAcceptor;
      if (from.getPort() == 0 || dstPort == 0) {
        return;
      }
      if (flows.size() >= settings.maxUdpFlows()) {
        LOG.debug("UDP datagram from {} dropped: {} flows", from, flows.size());
        return;
      }
      InetSocketAddress to = new InetSocketAddress(dst, dstPort);
      boolean ok;
      try {
        ok = acceptor.accepts(to, from);
      } catch (RuntimeException e) {
        LOG.warn("UDP acceptor failed for {} -> {}", from, to, e);
        ok = false;
      }
      if (!ok) {
        return;
      }
      f = new UdpFlow(this, from, to, settings.udpTimeout());
      if (flows.putIfAbsent(from, f) != null) {
        f = flows.get(from);
      } else {
        UdpFlow flow = f;
        Thread.ofVirtual()
            .name("udp-flow")
            .start(() -> {
              try {
                acceptor.accepted(flow);
              } catch (RuntimeException e) {
                LOG.warn("UDP acceptor failed for {}", flow, e);
                flow.close();
              }
            });
      }
      if (f == null) {
        return;
      }
    }
    if (!f.offer(dst, dstPort, data)) {
      LOG.debug("{} is full; datagram dropped", f);
    }
  }

  void forget(UdpFlow f) {
    flows.remove(f.remoteAddress(), f);
  }

  /** Forwarded UDP flows currently open. */
  public int udpFlowCount() {
    return flows.size();
  }

  // ------------------------------------------------------------------ TCP

  /**
   * Opens a TCP connection to {@code remote} from our address of its family and an ephemeral port.
   * Throws {@link java.net.ConnectException} on a RST and {@link java.net.SocketTimeoutException}
   * when no handshake completes within {@code timeout}.
   */
  public TcpConn dialTcp(InetSocketAddress remote, Duration timeout) throws IOException {
    return dialTcp(remote, timeout, 0);
  }

  /** As {@link #dialTcp(InetSocketAddress, Duration)} from a given local port (0 = ephemeral). */
  public TcpConn dialTcp(InetSocketAddress remote, Duration timeout, int localPort)
      throws IOException {
    if (closed) {
      throw new IOException("the stack is closed");
    }
    if (remote.isUnresolved()) {
      throw new IOException("the netstack dials IP addresses only, not " + remote);
    }
    if (tcp.size() >= settings.maxTcpConnections()) {
      throw new IOException("too many TCP connections (" + settings.maxTcpConnections() + ")");
    }
    InetAddress from = addressFor(remote.getAddress());
    ensureTimer();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = localPort != 0 ? localPort : 32768 + ThreadLocalRandom.current().nextInt(28232);
      InetSocketAddress local = new InetSocketAddress(from, port);
      TcpKey key = TcpKey.of(local, remote);
      if (tcp.containsKey(key)) {
        if (localPort != 0) {
          throw new IOException("local TCP port " + local + " to " + remote + " is in use");
        }
        continue;
      }
      TcpConn c;
      synchronized (tcp) {
        if (tcp.containsKey(key)) {
          continue;
        }
        c = TcpConn.active(this, key, local, remote);
        tcp.put(key, c);
      }
      c.awaitEstablished(timeout);
      return c;
    }
    throw new IOException("no free local TCP port to reach " + remote);
  }

  /**
   * Installs the TCP forwarder: from now on a SYN to any address and port is offered to {@code
   * acceptor} (replies use the SYN's destination as their source).
   */
  public void serveTcp(TcpAcceptor acceptor) {
    ensureTimer();
    this.tcpAcceptor = acceptor;
  }

  private synchronized void ensureTimer() {
    if (timer != null || closed) {
      return;
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "netstack-tcp-timer");
          t.setDaemon(true);
          return t;
        });
    timer.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    long now = System.nanoTime();
    for (UdpFlow f : flows.values()) {
      if (f.idleSince(now)) {
        LOG.debug("{} idle; closed", f);
        f.close();
      }
    }
    for (TcpConn c : tcp.values()) {
      try {
        c.tick(now);
      } catch (RuntimeException e) {
        LOG.warn("TCP timer failed for {}", c, e);
      }
    }
  }

  private void tcpInput(
      byte[] p, int off, int total, int hdr, int version, boolean owned, boolean authenticated) {
    int alen = IpPackets.addressLength(version);
    int srcOff = off + IpPackets.sourceOffset(version);
    int dstOff = off + IpPackets.destinationOffset(version);
    TcpSegment s;
    try {
      s = TcpSegment.parse(p, off + hdr, total - hdr, p, srcOff, dstOff, alen, !authenticated);
    } catch (TcpSegment.MalformedException e) {
      tcpStats.malformed.increment();
      LOG.debug("dropped a TCP segment: {}", e.getMessage());
      return;
    }
    tcpStats.segmentsIn.increment();
    // a bulk transfer sends segment after segment to one connection: try the last one first
    TcpConn last = lastTcp;
    TcpKey key;
    TcpConn c;
    if (last != null
        && !last.gone
        && last.key.matches(p, dstOff, s.dstPort, srcOff, s.srcPort, alen)) {
      key = last.key;
      c = last; // not gone: still the table's entry for this key
    } else {
      key = TcpKey.of(p, dstOff, s.dstPort, srcOff, s.srcPort, alen);
      c = tcp.get(key);
      if (c != null) {
        lastTcp = c;
      }
    }
    if (c != null) {
      if (s.has(TcpSegment.SYN) && !s.has(TcpSegment.ACK) && c.reusableBy(s)) {
        c.stackClosed(); // RFC 6191: a new incarnation replaces the TIME-WAIT one
      } else {
        try {
          c.segmentArrives(s);
        } catch (RuntimeException e) {
          // a bug must not escape input() and stall the link: end only this connection
          tcpStats.internalErrors.increment();
          LOG.warn("TCP segment {} broke {}; connection aborted", s, c, e);
          c.abort();
        }
        return;
      }
    }
    if (s.has(TcpSegment.RST)) {
      return;
    }
    byte[] src = Arrays.copyOfRange(p, srcOff, srcOff + alen);
    byte[] dst = Arrays.copyOfRange(p, dstOff, dstOff + alen);
    TcpAcceptor acceptor = tcpAcceptor;
    if (s.has(TcpSegment.SYN) && !s.has(TcpSegment.ACK) && acceptor != null) {
      offerSyn(acceptor, key, s, src, dst);
      return;
    }
    if (owned || acceptor != null) {
      resetFor(s, src, dst); // RFC 9293 3.10.7.1: no connection
    }
  }

  private void offerSyn(TcpAcceptor acceptor, TcpKey key, TcpSegment syn, byte[] src, byte[] dst) {
    InetSocketAddress local;
    InetSocketAddress remote;
    try {
      local = new InetSocketAddress(InetAddress.getByAddress(dst), syn.dstPort);
      remote = new InetSocketAddress(InetAddress.getByAddress(src), syn.srcPort);
    } catch (UnknownHostException e) {
      return;
    }
    if (syn.dstPort == 0 || syn.srcPort == 0) {
      return;
    }
    if (tcp.size() >= settings.maxTcpConnections()) {
      tcpStats.synsDropped.increment();
      LOG.debug("SYN from {} dropped: {} TCP connections", remote, tcp.size());
      return;
    }
    boolean ok;
    try {
      ok = acceptor.accepts(local, remote);
    } catch (RuntimeException e) {
      LOG.warn("TCP acceptor failed for {} -> {}", remote, local, e);
      ok = false;
    }
    if (!ok) {
      resetFor(syn, src, dst);
      return;
    }
    TcpConn c = TcpConn.passive(this, key, local, remote, syn);
    if (tcp.putIfAbsent(key, c) != null) {
      return;
    }
    TcpConn evicted = null;
    synchronized (halfOpen) {
      halfOpen.add(c);
      if (halfOpen.size() > settings.maxHalfOpen()) {
        Iterator<TcpConn> it = halfOpen.iterator();
        evicted = it.next();
        it.remove();
      }
    }
    if (evicted != null) {
      tcpStats.synsDropped.increment();
      evicted.dropHalfOpen();
    }
    c.sendSynAck();
  }

  /** A RST answering {@code s}, which reached no connection. */
  private void resetFor(TcpSegment s, byte[] src, byte[] dst) {
    TcpSegment r = new TcpSegment();
    r.srcPort = s.dstPort;
    r.dstPort = s.srcPort;
    if (s.has(TcpSegment.ACK)) {
      r.seq = s.ack;
      r.flags = TcpSegment.RST;
    } else {
      r.ack = s.seq + s.seqLength();
      r.flags = TcpSegment.RST | TcpSegment.ACK;
    }
    byte[] pkt = r.build(dst, src);
    LOG.debug("RST to port {} from port {}: no connection for {}", s.srcPort, s.dstPort, s);
    tcpStats.resetsOut.increment();
    emit(pkt, 0, pkt.length);
  }

  /** A passive connection finished its handshake: hand it to the forwarder. */
  void tcpEstablished(TcpConn c) {
    synchronized (halfOpen) {
      halfOpen.remove(c);
    }
    TcpAcceptor acceptor = tcpAcceptor;
    if (acceptor == null) {
      c.abort();
      return;
    }
    Thread.ofVirtual()
        .name("tcp-accepted")
        .start(() -> {
          try {
            acceptor.accepted(c);
          } catch (RuntimeException e) {
            LOG.warn("TCP acceptor failed for {}", c, e);
            c.abort();
          }
        });
  }

  void tcpClosed(TcpConn c, boolean wasHalfOpen) {
    tcp.remove(c.key, c);
    if (lastTcp == c) {
      lastTcp = null;
    }
    if (wasHalfOpen) {
      synchronized (halfOpen) {
        halfOpen.remove(c);
      }
    }
  }

  void emit(byte[] p, int off, int len) {
    try {
      link.send(p, off, len);
    } catch (IOException e) {
      LOG.debug("link send failed: {}", e.toString());
    }
  }

  /** Our TCP timestamp clock: milliseconds, with a random offset per stack (RFC 7323 5.4). */
  int tsNow() {
    return (int) (System.nanoTime() / 1_000_000L) + tsOffset;
  }

  /** The first of our addresses in the family of {@code to}. */
  public InetAddress addressFor(InetAddress to) throws IOException {
    for (InetAddress a : addresses) {
      if ((a instanceof Inet4Address) == (to instanceof Inet4Address)) {
        return a;
      }
    }
    throw new IOException("no local address of the family of " + to);
  }

  @Override
  public void close() {
    closed = true;
    for (UdpSocket s : List.copyOf(udp.values())) {
      s.close();
    }
    for (TcpConn c : List.copyOf(tcp.values())) {
      c.stackClosed();
    }
    for (UdpFlow f : List.copyOf(flows.values())) {
      f.close();
    }
    synchronized (this) {
      if (timer != null) {
        timer.shutdownNow();
      }
    }
  }
}
