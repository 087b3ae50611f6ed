package dev.umbra.dns.transport;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.net.Destination;
import java.io.IOException;
import java.time.Duration;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

/**
 * DNS over UDP: queries share a socket, each with a random ID (see {@link UdpMux}); datagrams from
 * elsewhere, unreadable ones and answers with another ID or question are dropped with a log line
 * and the wait goes on. A truncated answer is asked again over TCP.
 */
public final class UdpTransport implements DnsTransport {
  private final String tag;
  private final String type;
  private final Duration timeout;
  private final DnsTransport tcpFallback;
  private final UdpMux mux;

  public UdpTransport(
      String tag,
      String type,
      Destination server,
      Dialer dialer,
      Duration timeout,
      DnsTransport tcpFallback) {
    this.tag = tag;
    this.type = type;
    this.timeout = timeout;
    this.tcpFallback = tcpFallback;
    this.mux = new UdpMux(tag, server, dialer);
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
    Message r = mux.exchange(query, System.nanoTime() + timeout.toNanos());
    if (r.getHeader().getFlag(Flags.TC) && tcpFallback != null) {
      return tcpFallback.exchange(query);
    }
    return r;
  }

  @Override
  public void close() throws IOException {
    mux.close();
    if (tcpFallback != null) {
      tcpFallback.close();
    }
  }
}
