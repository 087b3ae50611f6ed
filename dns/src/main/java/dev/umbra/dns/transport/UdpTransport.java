package dev.umbra.dns.transport;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsFormatException;
import dev.umbra.dns.message.DnsLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

/**
 * DNS over UDP: a new socket (random source port) and a random ID per query; datagrams from
 * elsewhere, unreadable ones and answers with another ID or question are dropped with a log line
 * and the wait goes on. A truncated answer is asked again over TCP.
 */
public final class UdpTransport implements DnsTransport {
  private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
  private final String tag;
  private final String type;
  private final Destination server;
  private final Dialer dialer;
  private final Duration timeout;
  private final DnsTransport tcpFallback;

  public UdpTransport(
      String tag,
      String type,
      Destination server,
      Dialer dialer,
      Duration timeout,
      DnsTransport tcpFallback) {
    this.tag = tag;
    this.type = type;
    this.server = server;
    this.dialer = dialer;
    this.timeout = timeout;
    this.tcpFallback = tcpFallback;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public Message exchange(Message query) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Message sent = Exchanges.withRandomId(query);
    byte[] wire = sent.toWire();
    try (PacketConn pc = dialer.listenPacket(server)) {
      pc.send(ByteBuffer.wrap(wire), server);
      ByteBuffer buf = ByteBuffer.allocate(65_535);
      while (true) {
        pc.setReadTimeout(Exchanges.remainingMillis(deadline));
        buf.clear();
        Destination from = pc.receive(buf);
        if (server instanceof Destination.Ip && !server.equals(from)) {
          LOG.info("dns/{}: dropped a datagram from {} (expected {})", tag, from, server);
          continue;
        }
        Message r;
        try {
          r = DnsCodec.parse(buf.array(), 0, buf.position(), DnsLimits.DEFAULT);
          r = Exchanges.accept(sent, query, r, server.toString());
        } catch (DnsFormatException e) {
          LOG.info("dns/{}: dropped an answer: {}", tag, e.getMessage());
          continue;
        }
        if (r.getHeader().getFlag(Flags.TC) && tcpFallback != null) {
          return tcpFallback.exchange(query);
        }
        return r;
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (tcpFallback != null) {
      tcpFallback.close();
    }
  }
}
