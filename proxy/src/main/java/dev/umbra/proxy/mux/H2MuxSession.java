package dev.umbra.proxy.mux;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.h2.H2Client;
import dev.umbra.transport.h2.H2Server;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sing-mux's {@code h2mux}: after the preamble the carrier holds one HTTP/2 connection (client
 * preface and all); every stream is a {@code CONNECT} request with authority {@code localhost}
 * answered by status 200, after which the stream's DATA frames carry the sing-mux stream (request,
 * response, payload) both ways and END_STREAM is its half-close. Both sides send a PING after 30 s
 * of silence (sing-mux's idle timeout).
 */
final class H2MuxSession implements Session {
  private static final Logger LOG = LoggerFactory.getLogger(H2MuxSession.class);
  static final Duration IDLE = Duration.ofSeconds(30);

  /** The request line sing-mux's client sends (Go's http2 transport for a CONNECT to localhost). */
  static MetaData.Request connectRequest() {
    return new MetaData.Request(
        "CONNECT", HttpURI.build().host("localhost"), HttpVersion.HTTP_2, HttpFields.EMPTY);
  }

  private final Conn carrier;
  private final H2Client client;
  private final AtomicBoolean dialed = new AtomicBoolean();
  private final BlockingQueue<Conn> backlog;
  private volatile boolean closed;

  private H2MuxSession(Conn carrier, H2Client client, BlockingQueue<Conn> backlog) {
    this.carrier = carrier;
    this.client = client;
    this.backlog = backlog;
  }

  /** The client side over {@code carrier} (preamble already written); connects on first open. */
  static H2MuxSession client(Conn carrier) {
    return new H2MuxSession(carrier, new H2Client("h2mux", IDLE, null, false), null);
  }

  /** The server side over {@code carrier} (preamble already read); serves on its own thread. */
  static H2MuxSession server(Conn carrier) {
    H2MuxSession s =
        new H2MuxSession(carrier, null, new ArrayBlockingQueue<>(MuxSession.ACCEPT_BACKLOG));
    H2Server server = new H2Server("h2mux", request -> ok(), IDLE);
    Thread.ofVirtual()
        .name("h2mux-server")
        .start(() -> {
          try {
            server.serve(carrier, null, "", accepted -> s.admit(accepted.conn()));
          } catch (IOException | RuntimeException e) {
            LOG.debug("h2mux session {}: {}", carrier.remoteAddress(), e.toString());
          } finally {
            s.close();
          }
        });
    return s;
  }

  /** sing-mux's server answers every request with 200 (the outer protocol authenticated it). */
  private static H2Server.Verdict ok() {
    return new H2Server.Verdict(200, "", HttpFields.EMPTY, null);
  }

  private void admit(Conn stream) throws IOException {
    if (closed || !backlog.offer(stream)) {
      LOG.warn("h2mux session {}: refusing a stream (limits)", carrier.remoteAddress());
      stream.close();
    }
  }

  @Override
  public Conn open() throws IOException {
    if (client == null) {
      throw new IOException("h2mux: the server side opens no streams");
    }
    if (closed) {
      throw new IOException("h2mux session closed");
    }
    if (numStreams() >= MuxSession.MAX_STREAMS) {
      throw new IOException("h2mux session has " + MuxSession.MAX_STREAMS + " streams");
    }
    return client.open(
        () -> {
          // one session is one carrier: once its HTTP/2 connection is gone, so is the session
          if (dialed.getAndSet(true)) {
            close();
            throw new IOException("h2mux session closed");
          }
          return carrier;
        },
        connectRequest());
  }

  @Override
  public Conn accept() throws IOException {
    if (backlog == null) {
      throw new IOException("h2mux: the client side accepts no streams");
    }
    while (true) {
      Conn s;
      try {
        s = backlog.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
      if (s != null) {
        return s;
      }
      if (closed) {
        throw new EOFException("h2mux session ended");
      }
    }
  }

  @Override
  public int numStreams() {
    return client == null ? backlog.size() : client.streamCount();
  }

  @Override
  public boolean isClosed() {
    return closed || (client != null && dialed.get() && !client.hasLiveSession());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      carrier.close();
    } catch (IOException e) {
      LOG.debug("h2mux close: {}", e.toString());
    }
    for (Conn s = backlog == null ? null : backlog.poll(); s != null; s = backlog.poll()) {
      try {
        s.close();
      } catch (IOException e) {
        LOG.debug("h2mux close: {}", e.toString());
      }
    }
  }
}
