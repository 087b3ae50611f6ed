package dev.umbra.netstack;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A userspace IP stack over a {@link Link}: IPv4 and IPv6 for the addresses it owns, ICMPv4 echo
 * replies, and UDP ports as {@link UdpSocket}s. Packets for other addresses, fragments and
 * malformed packets are dropped. (TCP is not implemented yet.)
 */
public final class NetStack implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(NetStack.class);

  private final List<InetAddress> addresses;
  private final Link link;
  private final Map<InetSocketAddress, UdpSocket> udp = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public NetStack(List<InetAddress> addresses, Link link) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("the stack needs at least one address");
    }
    this.addresses = List.copyOf(addresses);
    this.link = link;
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
    if (!owns(p, dstOff, alen)) {
      return;
    }
    int proto;
    int hdr;
    if (version == 4) {
      hdr = (p[off] & 0xf) * 4;
      if (IpPackets.checksum(p, off, hdr) != 0 || (IpPackets.u16(p, off + 6) & 0x3fff) != 0) {
        LOG.debug("dropped an IPv4 packet with a bad header checksum or a fragment");
        return;
      }
      proto = p[off + 9] & 0xff;
    } else {
      hdr = 40;
      proto = p[off + 6] & 0xff; // extension headers are not followed (dropped below)
    }
    try {
      switch (proto) {
        case IpPackets.PROTO_ICMP -> {
          byte[] reply = version == 4 ? Icmp4.replyTo(p, off, total) : null;
          if (reply != null) {
            link.send(reply, 0, reply.length);
          }
        }
        case IpPackets.PROTO_UDP -> udpInput(p, off, total, hdr, version);
        default -> LOG.debug("dropped an IP packet of protocol {}", proto);
      }
    } catch (IOException e) {
      LOG.debug("link send failed: {}", e.toString());
    }
  }

  private void udpInput(byte[] p, int off, int total, int hdr, int version) {
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
    if (!Udp.checksumOk(p, u, udpLen, src, dst)) {
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
    if (s == null) {
      LOG.debug("UDP datagram to closed port {}", IpPackets.u16(p, u + 2));
      return;
    }
    byte[] data = Arrays.copyOfRange(p, u + Udp.HEADER, u + udpLen);
    if (!s.offer(srcAddr, IpPackets.u16(p, u), data)) {
      LOG.debug("UDP socket {} is full; datagram dropped", s.localAddress());
    }
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
  }
}
