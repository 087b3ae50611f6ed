package dev.umbra.dns.transport;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.time.Duration;
import org.xbill.DNS.Message;

/** DNS over a stream: plain TCP ({@code tcp}) or TLS ({@code tls}, RFC 7858). */
public final class StreamTransport implements DnsTransport {
  private final String tag;
  private final String type;
  private final String server;
  private final Duration timeout;
  private final ConnPool pool;

  public StreamTransport(
      String tag, String type, String server, ConnPool.Opener opener, Duration timeout) {
    this.tag = tag;
    this.type = type;
    this.server = server;
    this.timeout = timeout;
    this.pool = new ConnPool(opener);
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
    return pool.with(
        (Conn c) -> {
          Exchanges.writeFramed(c.out(), wire);
          c.setReadTimeout(Exchanges.remainingMillis(deadline));
          Message r = Exchanges.readFramed(c.in());
          c.setReadTimeout(0);
          return Exchanges.accept(sent, query, r, server);
        },
        () -> true);
  }

  @Override
  public void close() {
    pool.close();
  }
}
