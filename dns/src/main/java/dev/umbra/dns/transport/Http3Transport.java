package dev.umbra.dns.transport;

import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * The {@code h3} server: DNS over HTTP/3 (RFC 8484 over RFC 9114). ALPN {@code h3}; one request
 * stream per query, the message (ID 0) as the body of a POST with content type {@code
 * application/dns-message}, or base64url in {@code ?dns=} with GET. One QUIC connection with its
 * control stream is reused until it fails, idles out or the server sends GOAWAY. The connection is
 * made by the {@link QuicEndpoint} (address, TLS name, certificate check, dialer).
 */
public final class Http3Transport implements DnsTransport {
  private static final Logger LOG = LoggerFactory.getLogger(Http3Transport.class);
  static final String ALPN = "h3";
  static final String MIME = "application/dns-message";

  private final String tag;
  private final QuicEndpoint endpoint;
  private final String server;
  private final String authority;
  private final String path;
  private final boolean get;
  private final List<Map.Entry<String, String>> headers;
  private final Duration timeout;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private Session session;
  private boolean closed;

  /**
   * @param authority the {@code :authority} (host, and port when not 443)
   * @param headers extra request fields; names are sent in lower case
   */
  public Http3Transport(
      String tag,
      QuicEndpoint endpoint,
      String authority,
      String path,
      boolean get,
      Map<String, String> headers,
      Duration timeout) {
    this.tag = tag;
    this.endpoint = endpoint;
    this.server = endpoint.server().toString();
    this.authority = authority;
    this.path = path;
    this.get = get;
    List<Map.Entry<String, String>> h = new ArrayList<>();
    if (headers != null) {
      headers.forEach((k, v) -> h.add(Map.entry(k.toLowerCase(Locale.ROOT), v)));
    }
    this.headers = List.copyOf(h);
    this.timeout = timeout;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String type() {
    return "h3";
  }

  /** The request stream's bytes for a message already carrying ID 0. */
  byte[] request(byte[] wire) {
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    fields.add(Map.entry("accept", MIME));
    if (get) {
      fields.addAll(headers);
      String q = Base64.getUrlEncoder().withoutPadding().encodeToString(wire);
      String target = path + (path.contains("?") ? "&" : "?") + "dns=" + q;
      return Http3Codec.request("GET", authority, target, fields, new byte[0]);
    }
    fields.add(Map.entry("content-type", MIME));
    fields.add(Map.entry("content-length", Integer.toString(wire.length)));
    fields.addAll(headers);
    return Http3Codec.request("POST", authority, path, fields, wire);
  }

  @Override
  public Message exchange(Message query) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Message sent = query.clone();
    sent.getHeader().setID(0);
    byte[] request = request(DnsCodec.encode(sent));
    IOException last = null;
    // a reused connection may have died since its last query: one retry on a fresh one
    for (int attempt = 0; attempt < 2; attempt++) {
      Session s = session(deadline);
      AtomicReference<QuicStream> stream = new AtomicReference<>();
      Future<Http3Codec.Response> f =
          workers.submit(() -> {
            QuicStream st = s.quic.createStream(true);
            stream.set(st);
            OutputStream out = st.getOutputStream();
            out.write(request);
            out.close(); // FIN: the request is complete
            return Http3Codec.readResponse(st.getInputStream());
          });
      Http3Codec.Response r;
      try {
        r = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        cancel(stream.get());
        throw new SocketTimeoutException("DoH3 query to " + server + " timed out");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        f.cancel(true);
        cancel(stream.get());
        throw new InterruptedIOException("DoH3 query interrupted");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Http3Codec.Http3Exception bad) {
          // RFC 9114 §8: a protocol error closes the connection with its code
          LOG.warn(
              "dns/{}: closing the HTTP/3 connection to {}: {}", tag, server, bad.getMessage());
          s.fail(bad.code, bad.getMessage());
          drop(s);
          throw bad;
        }
        last =
            cause instanceof IOException io
                ? io
                : new IOException("DoH3 exchange with " + server + " failed: " + cause, cause);
        drop(s);
        if (System.nanoTime() >= deadline) {
          break;
        }
        continue;
      }
      return answer(r, sent, query);
    }
    throw last;
  }

  private Message answer(Http3Codec.Response r, Message sent, Message query) throws IOException {
    if (r.status() != 200) {
      throw new ProtocolException(
          "DoH3 server " + server + " answered HTTP/3 status " + r.status());
    }
    if (r.contentType() == null || !r.contentType().toLowerCase(Locale.ROOT).startsWith(MIME)) {
      throw new ProtocolException(
          "DoH3 server " + server + " sent content-type " + r.contentType());
    }
    return Exchanges.accept(sent, query, DnsCodec.parse(r.body(), DnsLimits.DEFAULT), server);
  }

  private static void cancel(QuicStream stream) {
    if (stream != null) {
      stream.resetStream(Http3Codec.H3_REQUEST_CANCELLED);
      stream.abortReading(Http3Codec.H3_REQUEST_CANCELLED);
    }
  }

  private synchronized Session session(long deadline) throws IOException {
    if (closed) {
      throw new IOException("DoH3 server " + tag + " is closed");
    }
    if (session != null && session.usable()) {
      return session;
    }
    if (session != null) {
      session.close();
      session = null;
    }
    Duration left = Duration.ofNanos(deadline - System.nanoTime());
    if (left.toMillis() < 1) {
      throw new SocketTimeoutException("DoH3 query to " + server + " timed out");
    }
    Session s = new Session();
    QuicClientConnection c =
        endpoint.open(
            ALPN,
            left,
            // the server opens its control stream and may open QPACK streams; no bidirectional
            b ->
                b.maxOpenPeerInitiatedUnidirectionalStreams(8)
                    .maxOpenPeerInitiatedBidirectionalStreams(0),
            q -> {
              s.quic = q;
              q.setPeerInitiatedStreamCallback(
                  st -> Thread.ofVirtual().name("dns-h3-peer-stream").start(() -> s.peer(st)));
            });
    try {
      s.control = c.createStream(false);
      OutputStream out = s.control.getOutputStream();
      out.write(Http3Codec.controlStreamPreface());
      out.flush();
    } catch (IOException e) {
      c.close();
      throw e;
    }
    session = s;
    LOG.debug("dns/{}: HTTP/3 connection to {} open", tag, server);
    return s;
  }

  private synchronized void drop(Session s) {
    if (session == s) {
      session = null;
    }
    s.close();
  }

  @Override
  public void close() {
    Session s;
    synchronized (this) {
      closed = true;
      s = session;
      session = null;
    }
    if (s != null) {
      s.close();
    }
    workers.shutdownNow();
  }

  /** One HTTP/3 connection: the QUIC connection, our control stream, the server's streams. */
  private final class Session {
    volatile QuicClientConnection quic;
    QuicStream control; // kept open for the connection's life: closing it is an error
    private volatile boolean goaway;
    private volatile boolean done;
    private boolean peerControl;

    boolean usable() {
      return !done && !goaway && quic.isConnected();
    }

    void fail(long code, String reason) {
      if (!done) {
        done = true;
        quic.close(code, reason);
      }
    }

    void close() {
      if (!done) {
        done = true;
        quic.close();
      }
    }

    /** A stream the server opened (RFC 9114 §6.2). */
    void peer(QuicStream stream) {
      try {
        if (stream.isBidirectional()) {
          throw new Http3Codec.Http3Exception(
              Http3Codec.H3_STREAM_CREATION_ERROR, "server-initiated bidirectional stream");
        }
        InputStream in = stream.getInputStream();
        long type = Http3Codec.readVarint(in);
        if (type == Http3Codec.STREAM_CONTROL) {
          synchronized (this) {
            if (peerControl) {
              throw new Http3Codec.Http3Exception(
                  Http3Codec.H3_STREAM_CREATION_ERROR, "a second control stream");
            }
            peerControl = true;
          }
          control(in);
        } else if (type == Http3Codec.STREAM_QPACK_ENCODER
            || type == Http3Codec.STREAM_QPACK_DECODER) {
          // with a dynamic table of capacity 0 nothing on these matters; they must stay open
          byte[] sink = new byte[4096];
          while (in.read(sink) >= 0) {
            // discarded
          }
          throw new Http3Codec.Http3Exception(
              Http3Codec.H3_CLOSED_CRITICAL_STREAM, "the server closed a QPACK stream");
        } else if (type == Http3Codec.STREAM_PUSH) {
          throw new Http3Codec.Http3Exception(Http3Codec.H3_ID_ERROR, "push without MAX_PUSH_ID");
        } else if (type >= 0) {
          // unknown stream types are ignored (RFC 9114 §6.2)
          stream.abortReading(Http3Codec.H3_STREAM_CREATION_ERROR);
        }
      } catch (Http3Codec.Http3Exception e) {
        if (!done) {
          LOG.warn("dns/{}: closing the HTTP/3 connection to {}: {}", tag, server, e.getMessage());
          fail(e.code, e.getMessage());
        }
      } catch (IOException | RuntimeException e) {
        if (!done) {
          LOG.debug("dns/{}: HTTP/3 stream from {} ended: {}", tag, server, e.toString());
          close();
        }
      }
    }

    private void control(InputStream in) throws IOException {
      int[] skipped = {0};
      Http3Codec.Frame first = Http3Codec.readFrame(in, 4096, 0, skipped);
      if (first == null || first.type() != Http3Codec.FRAME_SETTINGS) {
        throw new Http3Codec.Http3Exception(
            Http3Codec.H3_MISSING_SETTINGS, "the control stream does not start with SETTINGS");
      }
      Http3Codec.settings(first.payload());
      while (true) {
        skipped[0] = 0;
        Http3Codec.Frame f = Http3Codec.readFrame(in, 64, 0, skipped);
        if (f == null) {
          throw new Http3Codec.Http3Exception(
              Http3Codec.H3_CLOSED_CRITICAL_STREAM, "the server closed its control stream");
        }
        long t = f.type();
        if (t == Http3Codec.FRAME_GOAWAY) {
          // no new requests on this connection; those under way finish
          goaway = true;
        } else if (t == Http3Codec.FRAME_CANCEL_PUSH) {
          throw new Http3Codec.Http3Exception(Http3Codec.H3_ID_ERROR, "CANCEL_PUSH without push");
        } else if (t == Http3Codec.FRAME_SETTINGS
            || t == Http3Codec.FRAME_DATA
            || t == Http3Codec.FRAME_HEADERS
            || t == Http3Codec.FRAME_PUSH_PROMISE
            || t == Http3Codec.FRAME_MAX_PUSH_ID) {
          throw new Http3Codec.Http3Exception(
              Http3Codec.H3_FRAME_UNEXPECTED, "frame type " + t + " on the control stream");
        }
      }
    }
  }
}
