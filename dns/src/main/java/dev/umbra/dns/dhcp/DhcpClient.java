package dev.umbra.dns.dhcp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a DHCP server for its DNS servers, actively: first DHCPINFORM (RFC 2131 §3.4: "I have an
 * address, tell me the rest"; the ACK comes back by unicast to our address and no lease is
 * touched), then, when no ACK arrives, DHCPDISCOVER with the broadcast flag, as sing-box sends, and
 * the OFFER's options are used (no REQUEST follows: we never take the offered address).
 *
 * <p>Sockets: the JDK cannot bind a socket to a device (SO_BINDTODEVICE), so the request socket is
 * bound to the interface's own IPv4 address and port 68 with SO_BROADCAST and sends to the limited
 * broadcast 255.255.255.255:67. Linux sends a limited broadcast from a socket bound to a local
 * address out of the device that owns that address (the route lookup for 255.255.255.255 uses the
 * source's device), so the request leaves on the named interface only. The unicast ACK to our
 * INFORM arrives on that socket. An OFFER is broadcast to 255.255.255.255:68, which a socket bound
 * to a unicast address never receives, so a second socket on 0.0.0.0:68 listens during the whole
 * query; it hears every interface, so each datagram must carry our transaction ID and hardware
 * address. Both sockets set SO_REUSEADDR to live beside a system DHCP client on port 68.
 *
 * <p>Datagrams that are malformed, not replies, for another transaction or another client, or of an
 * unexpected type are dropped with a log line and the wait goes on until the deadline.
 */
public final class DhcpClient {
  private static final Logger LOG = LoggerFactory.getLogger(DhcpClient.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Options we ask for (55): subnet mask, router, DNS servers, domain name, search list. */
  static final byte[] PARAMETERS = {
    DhcpMessage.OPT_SUBNET_MASK,
    DhcpMessage.OPT_ROUTER,
    DhcpMessage.OPT_DNS,
    DhcpMessage.OPT_DOMAIN_NAME,
    (byte) DhcpMessage.OPT_DOMAIN_SEARCH
  };

  /**
   * Where to send and listen.
   *
   * @param bind the request socket's address (the interface's IPv4 address, port 68)
   * @param server where requests go (255.255.255.255:67)
   * @param broadcastListen the extra socket for broadcast replies (0.0.0.0:68), or null
   */
  public record Endpoint(
      InetSocketAddress bind, InetSocketAddress server, InetSocketAddress broadcastListen) {

    /** The real thing on an interface with this address. */
    public static Endpoint onInterface(Inet4Address address) {
      return new Endpoint(
          new InetSocketAddress(address, 68),
          new InetSocketAddress("255.255.255.255", 67),
          new InetSocketAddress("0.0.0.0", 68));
    }
  }

  private final String tag;
  private final Duration informWait;
  private final Duration discoverWait;

  /**
   * @param informWait how long to wait for an ACK to DHCPINFORM (sent twice in that time)
   * @param discoverWait then, how long to wait for an OFFER to DHCPDISCOVER (sent twice)
   */
  public DhcpClient(String tag, Duration informWait, Duration discoverWait) {
    this.tag = tag;
    this.informWait = informWait;
    this.discoverWait = discoverWait;
  }

  /**
   * INFORM, then DISCOVER; returns the first acceptable answer.
   *
   * @param ciaddr our address on the interface
   * @param mac the interface's hardware address (6 bytes)
   * @throws SocketTimeoutException when no server answered either
   */
  public DhcpAnswer query(Endpoint endpoint, Inet4Address ciaddr, byte[] mac) throws IOException {
    try (DatagramSocket socket = open(endpoint.bind());
        DatagramSocket listen =
            endpoint.broadcastListen() == null ? null : open(endpoint.broadcastListen())) {
      BlockingQueue<DatagramPacket> received = new ArrayBlockingQueue<>(64);
      List<Thread> readers = new ArrayList<>();
      readers.add(reader(socket, received));
      if (listen != null) {
        readers.add(reader(listen, received));
      }
      try {
        DhcpAnswer a =
            phase(socket, endpoint.server(), received, inform(ciaddr, mac), informWait, mac);
        if (a == null) {
          LOG.info(
              "dns/{}: no ACK to DHCPINFORM from {} within {}; trying DHCPDISCOVER",
              tag,
              endpoint.bind(),
              informWait);
          a = phase(socket, endpoint.server(), received, discover(mac), discoverWait, mac);
        }
        if (a == null) {
          throw new SocketTimeoutException(
              "no DHCP server answered DHCPINFORM or DHCPDISCOVER from " + endpoint.bind());
        }
        return a;
      } finally {
        readers.forEach(Thread::interrupt);
      }
    }
  }

  private static DatagramSocket open(InetSocketAddress bind) throws SocketException {
    DatagramSocket s = new DatagramSocket(null);
    try {
      s.setReuseAddress(true);
      s.setBroadcast(true);
      s.bind(bind);
    } catch (SocketException e) {
      s.close();
      SocketException wrapped = new SocketException("cannot bind " + bind + ": " + e.getMessage());
      wrapped.initCause(e);
      throw wrapped;
    }
    return s;
  }

  /** A virtual thread handing every datagram to the queue until the socket closes. */
  private Thread reader(DatagramSocket socket, BlockingQueue<DatagramPacket> into) {
    return Thread.ofVirtual()
        .name("dhcp-" + tag + "-recv")
        .start(() -> {
          while (!socket.isClosed()) {
            byte[] buf = new byte[DhcpCodec.MAX_SIZE + 1];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
              socket.receive(p);
            } catch (IOException e) {
              return; // closed at the end of the query
            }
            if (!into.offer(p)) {
              LOG.info("dns/{}: dropped a DHCP datagram from {}: queue full", tag, p.getAddress());
            }
          }
        });
  }

  /** Sends {@code request} at once and again halfway; waits until {@code wait} has passed. */
  private DhcpAnswer phase(
      DatagramSocket socket,
      InetSocketAddress server,
      BlockingQueue<DatagramPacket> received,
      DhcpMessage request,
      Duration wait,
      byte[] mac)
      throws IOException {
    byte[] wire = DhcpCodec.encode(request);
    int wanted = request.messageType() == DhcpMessage.INFORM ? DhcpMessage.ACK : DhcpMessage.OFFER;
    long start = System.nanoTime();
    long deadline = start + wait.toNanos();
    long resend = start + wait.toNanos() / 2;
    socket.send(new DatagramPacket(wire, wire.length, server));
    LOG.debug(
        "dns/{}: sent DHCP{} xid {} to {}",
        tag,
        DhcpMessage.typeName(request.messageType()),
        Integer.toHexString(request.xid()),
        server);
    while (true) {
      long now = System.nanoTime();
      if (resend != 0 && now >= resend) {
        socket.send(new DatagramPacket(wire, wire.length, server));
        resend = 0;
      }
      long until = resend != 0 ? resend : deadline;
      if (now >= deadline) {
        return null;
      }
      DatagramPacket p;
      try {
        p = received.poll(until - now, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted waiting for a DHCP answer");
      }
      if (p != null) {
        DhcpAnswer a = accept(p, request.xid(), wanted, mac);
        if (a != null) {
          return a;
        }
      }
    }
  }

  /** The answer in {@code p} when it is the reply we wait for; else null, with a log line. */
  DhcpAnswer accept(DatagramPacket p, int xid, int wanted, byte[] mac) {
    String from = p.getSocketAddress().toString();
    DhcpMessage m;
    try {
      m = DhcpCodec.parse(p.getData(), p.getOffset(), p.getLength());
    } catch (DhcpFormatException e) {
      LOG.info("dns/{}: dropped a DHCP datagram from {}: {}", tag, from, e.getMessage());
      return null;
    }
    return accept(m, from, xid, wanted, mac);
  }

  DhcpAnswer accept(DhcpMessage m, String from, int xid, int wanted, byte[] mac) {
    if (m.op() != DhcpMessage.BOOTREPLY) {
      LOG.debug("dns/{}: dropped a DHCP request from {} (not a reply)", tag, from);
      return null;
    }
    if (m.xid() != xid) {
      LOG.debug(
          "dns/{}: dropped a DHCP reply from {}: transaction {} is not ours ({})",
          tag,
          from,
          Integer.toHexString(m.xid()),
          Integer.toHexString(xid));
      return null;
    }
    if (!Arrays.equals(m.chaddr(), mac)) {
      LOG.info("dns/{}: dropped a DHCP reply from {}: for another hardware address", tag, from);
      return null;
    }
    if (m.messageType() == DhcpMessage.NAK) {
      LOG.warn("dns/{}: DHCP server {} answered NAK", tag, from);
      return null;
    }
    if (m.messageType() != wanted) {
      LOG.info(
          "dns/{}: dropped a DHCP {} from {} (waiting for {})",
          tag,
          DhcpMessage.typeName(m.messageType()),
          from,
          DhcpMessage.typeName(wanted));
      return null;
    }
    try {
      List<Inet4Address> dns = m.dnsServers();
      if (dns.isEmpty()) {
        LOG.info("dns/{}: DHCP {} from {} names no DNS server", tag, m, from);
        return null;
      }
      List<String> search = m.domainSearch();
      if (search.isEmpty() && m.domainName() != null) {
        search = List.of(m.domainName());
      }
      return new DhcpAnswer(DhcpMessage.typeName(wanted), m.serverId(), dns, search);
    } catch (DhcpFormatException e) {
      LOG.info("dns/{}: dropped a DHCP reply from {}: {}", tag, from, e.getMessage());
      return null;
    }
  }

  static DhcpMessage inform(Inet4Address ciaddr, byte[] mac) {
    return new DhcpMessage(
        DhcpMessage.BOOTREQUEST,
        RANDOM.nextInt(),
        0,
        ciaddr,
        null,
        mac,
        options(DhcpMessage.INFORM));
  }

  static DhcpMessage discover(byte[] mac) {
    return new DhcpMessage(
        DhcpMessage.BOOTREQUEST,
        RANDOM.nextInt(),
        DhcpMessage.FLAG_BROADCAST,
        null,
        null,
        mac,
        options(DhcpMessage.DISCOVER));
  }

  private static Map<Integer, byte[]> options(int type) {
    Map<Integer, byte[]> o = new LinkedHashMap<>();
    o.put(DhcpMessage.OPT_MESSAGE_TYPE, new byte[] {(byte) type});
    o.put(DhcpMessage.OPT_PARAMETERS, PARAMETERS.clone());
    o.put(
        DhcpMessage.OPT_MAX_SIZE,
        new byte[] {(byte) (DhcpCodec.MAX_SIZE >> 8), (byte) DhcpCodec.MAX_SIZE});
    return o;
  }

  static String mac(byte[] mac) {
    return HexFormat.ofDelimiter(":").formatHex(mac);
  }
}
