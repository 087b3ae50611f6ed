package dev.umbra.core.route;

import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code hijack-dns} action: the connection's DNS queries are answered by the DNS module. */
final class DnsHijack {
  private static final Logger LOG = LoggerFactory.getLogger(DnsHijack.class);

  /** A DNS-over-TCP client that stays silent this long is done (RFC 7766 suggests seconds). */
  static final int STREAM_IDLE_MILLIS = 30_000;

  /** sing-box's UDP timeout for DNS. */
  static final Duration PACKET_IDLE = Duration.ofSeconds(10);

  /** Queries of one association answered at the same time; more wait (bounded memory). */
  static final int PARALLEL_QUERIES = 64;

  private DnsHijack() {}

  /** RFC 1035 4.2.2 framing: a 16-bit length before each message, queries answered in turn. */
  static void serveStream(Conn conn, Metadata m, DnsService dns) throws IOException {
    InputStream in = conn.in();
    OutputStream out = conn.out();
    conn.setReadTimeout(STREAM_IDLE_MILLIS);
    byte[] buf = new byte[65_535];
    byte[] hit = new byte[65_535];
    byte[] framedHit = new byte[65_537];
    int served = 0;
    while (true) {
      int hi;
      try {
        hi = in.read();
      } catch (SocketTimeoutException e) {
        break;
      }
      if (hi < 0) {
        break;
      }
      int lo = in.read();
      if (lo < 0) {
        throw new EOFException("DNS client closed inside a length prefix");
      }
      int length = (hi << 8) | lo;
      if (in.readNBytes(buf, 0, length) < length) {
        throw new EOFException("DNS client closed inside a message");
      }
      int n = dns.serveAtOnce(buf, length, m, true, hit);
      if (n >= 0) {
        framedHit[0] = (byte) (n >> 8);
        framedHit[1] = (byte) n;
        System.arraycopy(hit, 0, framedHit, 2, n);
        out.write(framedHit, 0, n + 2);
        out.flush();
        served++;
        continue;
      }
      byte[] answer = dns.serve(buf, length, m, true);
      if (answer == null) {
        continue;
      }
      byte[] framed = new byte[answer.length + 2];
      framed[0] = (byte) (answer.length >> 8);
      framed[1] = (byte) answer.length;
      System.arraycopy(answer, 0, framed, 2, answer.length);
      out.write(framed);
      out.flush();
      served++;
    }
    LOG.debug("[{}] dns over tcp from {}: {} answers", m.inbound(), m.source(), served);
  }

  /** Each datagram is a query; each answer goes back to the address it was sent to. */
  static void servePackets(PacketConn conn, Metadata m, DnsService dns, Duration idle)
      throws IOException {
    Duration timeout =
        idle != null ? idle : conn.idleTimeout() != null ? conn.idleTimeout() : PACKET_IDLE;
    conn.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    Semaphore slots = new Semaphore(PARALLEL_QUERIES);
    ByteBuffer buf = ByteBuffer.allocate(65_535);
    // cache hits answered by the inbound's receive loop itself: no hand-off to this thread
    conn.respondInline((data, length, reply) -> dns.serveAtOnce(data, length, m, false, reply));
    byte[] hit = new byte[65_535];
    ByteBuffer hitBuf = ByteBuffer.wrap(hit);
    try {
      while (true) {
        buf.clear();
        Destination to;
        try {
          to = conn.receive(buf);
        } catch (SocketTimeoutException e) {
          break;
        } catch (java.net.SocketException e) {
          // the inbound closed the association (shutdown or reload)
          LOG.debug("[{}] dns from {}: {}", m.inbound(), m.source(), e.getMessage());
          break;
        }
        buf.flip();
        // a cache hit is answered here, without a thread of its own
        int n = dns.serveAtOnce(buf.array(), buf.limit(), m, false, hit);
        if (n >= 0) {
          try {
            hitBuf.clear().limit(n);
            conn.send(hitBuf, to);
          } catch (IOException e) {
            LOG.debug("[{}] dns answer to {}: {}", m.inbound(), m.source(), e.toString());
          }
          continue;
        }
        byte[] query = new byte[buf.remaining()];
        buf.get(query);
        if (!slots.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.info(
              "[{}] dns from {}: too many queries in flight; dropped", m.inbound(), m.source());
          continue;
        }
        Thread.ofVirtual()
            .start(() -> {
              try {
                byte[] answer = dns.serve(query, query.length, m, false);
                if (answer != null) {
                  conn.send(ByteBuffer.wrap(answer), to);
                }
              } catch (IOException e) {
                LOG.debug("[{}] dns answer to {}: {}", m.inbound(), m.source(), e.toString());
              } finally {
                slots.release();
              }
            });
      }
      // let answers in flight go out before the association closes
      slots.tryAcquire(PARALLEL_QUERIES, timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
