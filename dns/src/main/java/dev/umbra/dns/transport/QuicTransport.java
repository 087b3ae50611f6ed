package dev.umbra.dns.transport;

import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsFormatException;
import dev.umbra.dns.message.DnsLimits;
import dev.umbra.dns.message.Messages;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * The {@code quic} server: DNS over QUIC (RFC 9250) with kwik. ALPN {@code doq}; one
 * client-initiated bidirectional stream per query carrying the message with a 2-byte length prefix
 * and ID 0, the stream's send side closed (FIN) after it; the answer comes back the same way. One
 * connection is reused for every query until it fails or idles out. How the connection is made
 * (address, TLS name, certificate check, dialer) is the {@link QuicEndpoint}'s.
 */
public final class QuicTransport implements DnsTransport {
  private static final Logger LOG = LoggerFactory.getLogger(QuicTransport.class);

  /** RFC 9250 §4.3: DOQ_PROTOCOL_ERROR, DOQ_REQUEST_CANCELLED. */
  static final long DOQ_PROTOCOL_ERROR = 0x2;

  static final long DOQ_REQUEST_CANCELLED = 0x3;
  static final String ALPN = "doq";

  private final String tag;
  private final QuicEndpoint endpoint;
  private final String server;
  private final Duration timeout;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private QuicClientConnection connection;
  private boolean closed;

  public QuicTransport(String tag, QuicEndpoint endpoint, Duration timeout) {
    this.tag = tag;
    this.endpoint = endpoint;
    this.server = endpoint.server().toString();
    this.timeout = timeout;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String type() {
    return "quic";
  }

  /** The query as RFC 9250 §4.2 puts it on a stream: length prefix, message with ID 0. */
  public static byte[] frame(Message query) {
    Message q = query.clone();
    q.getHeader().setID(0);
    byte[] wire = DnsCodec.encode(q);
    byte[] framed = new byte[wire.length + 2];
    framed[0] = (byte) (wire.length >> 8);
    framed[1] = (byte) wire.length;
    System.arraycopy(wire, 0, framed, 2, wire.length);
    return framed;
  }

  /** Reads one length-prefixed answer from a stream and checks it (ID 0, same question). */
  public static Message readAnswer(InputStream in, Message query, String server)
      throws IOException {
    int hi = in.read();
    int lo = in.read();
    if (hi < 0 || lo < 0) {
      throw new EOFException("DoQ server " + server + " closed the stream without an answer");
    }
    int length = (hi << 8) | lo;
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new EOFException("DoQ server " + server + " closed the stream inside a message");
    }
    Message r = DnsCodec.parse(body, DnsLimits.DEFAULT);
    if (r.getHeader().getID() != 0) {
      throw new DnsFormatException("DoQ answer from " + server + " has a non-zero message ID");
    }
    if (!Messages.sameQuestion(query, r)) {
      throw new DnsFormatException("DoQ answer from " + server + " is for another question");
    }
    return r;
  }

  private synchronized QuicClientConnection connection() throws IOException {
    if (closed) {
      throw new IOException("DoQ server " + tag + " is closed");
    }
    if (connection != null && connection.isConnected()) {
      return connection;
    }
    QuicClientConnection c = endpoint.open(ALPN, timeout, b -> {}, x -> {});
    connection = c;
    LOG.debug("dns/{}: DoQ connection to {} open", tag, server);
    return c;
  }

  private synchronized void drop(QuicClientConnection c) {
    if (connection == c) {
      connection = null;
    }
    c.close();
  }

  @Override
  public Message exchange(Message query) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    // a reused connection may have died since its last query: one retry on a fresh one
    for (int attempt = 0; attempt < 2; attempt++) {
      QuicClientConnection c = connection();
      QuicStream stream;
      try {
        stream = c.createStream(true);
      } catch (IOException e) {
        drop(c);
        last = e;
        continue;
      }
      Future<Message> f =
          workers.submit(() -> {
            OutputStream out = stream.getOutputStream();
            out.write(frame(query));
            out.close(); // FIN: the query is complete
            Message r = readAnswer(stream.getInputStream(), query, server);
            r.getHeader().setID(query.getHeader().getID());
            return r;
          });
      try {
        long left = deadline - System.nanoTime();
        return f.get(Math.max(1, left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        stream.resetStream(DOQ_REQUEST_CANCELLED);
        throw new SocketTimeoutException("DoQ query to " + server + " timed out");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stream.resetStream(DOQ_REQUEST_CANCELLED);
        throw new InterruptedIOException("DoQ query interrupted");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof DnsFormatException bad) {
          // RFC 9250 §4.3.3: a protocol error closes the connection
          c.close(DOQ_PROTOCOL_ERROR, bad.getMessage());
          drop(c);
          throw bad;
        }
        last =
            cause instanceof IOException io
                ? io
                : new IOException("DoQ exchange failed: " + cause, cause);
        drop(c);
        if (System.nanoTime() >= deadline) {
          break;
        }
      }
    }
    throw last;
  }

  @Override
  public void close() {
    QuicClientConnection c;
    synchronized (this) {
      closed = true;
      c = connection;
      connection = null;
    }
    if (c != null) {
      c.close();
    }
    workers.shutdownNow();
  }
}
