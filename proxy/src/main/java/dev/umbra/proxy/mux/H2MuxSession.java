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
  private volatile Thread serverThread;
  private volatile H2Server server;
  private volatile boolean closed;
  private final java.util.concurrent.CountDownLatch closeDone =
      new java.util.concurrent.CountDownLatch(1);

  private H2MuxSession(Conn carrier, H2Client client, BlockingQueue<Conn> backlog) {
    this.carrier = carrier;
    this.client = client;
    this.backlog = backlog;
  }

  /** The client side over {@code carrier} (preamble already written); connects on first open. */
  static H2MuxSession client(Conn carrier, String name) {
    return new H2MuxSession(carrier, new H2Client(name + "-h2mux", IDLE, null, false), null);
  }

  /** The server side over {@code carrier} (preamble already read); serves on its own thread. */
  static H2MuxSession server(Conn carrier, String name) {
    H2MuxSession s =
        new H2MuxSession(carrier, null, new ArrayBlockingQueue<>(MuxSession.ACCEPT_BACKLOG + 1));
    H2Server server = new H2Server(name + "-h2mux", request -> ok(), IDLE);
    s.server = server;
    s.serverThread =
        Thread.ofVirtual()
            .name(name + "-h2mux-server")
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
    if (closed || backlog.size() >= MuxSession.ACCEPT_BACKLOG || !backlog.offer(stream)) {
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
      // a full session refuses this stream only
      throw new IOException("h2mux session has " + MuxSession.MAX_STREAMS + " streams");
    }
    return client.open(
        () -> {
          // one session is one carrier: once its HTTP/2 connection is gone, so is the session
          if (dialed.getAndSet(true)) {
            close();
            throw new IOException("h2mux session ended: its HTTP/2 connection is gone");
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
    Conn s;
    try {
      s = closed ? carrier : backlog.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
    if (s == carrier) {
      // the carrier itself is the end-of-streams mark close() queues
      backlog.offer(carrier);
      throw new EOFException("h2mux session ended");
    }
    return s;
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
  public boolean canTakeNewStream() {
    return !isClosed()
        && client != null
        && client.canTakeNewStream()
        && numStreams() < MuxSession.MAX_STREAMS;
  }

  @Override
  public void close() {
    boolean first;
    synchronized (this) {
      first = !closed;
      closed = true;
    }
    if (!first) {
      // a second close waits until the first is done (the server thread's own close does not)
      if (Thread.currentThread() != serverThread) {
        try {
          closeDone.await(15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return;
    }
    if (client != null) {
      // stops the HTTP/2 session, its reader, writer and health-check threads
      client.close();
    }
    H2Server srv = server;
    if (srv != null) {
      srv.close(); // ends the HTTP/2 session, so serve() returns
    }
    try {
      carrier.close();
    } catch (IOException e) {
      LOG.debug("h2mux close: {}", e.toString());
    }
    if (backlog != null) {
      for (Conn s = backlog.poll(); s != null; s = backlog.poll()) {
        if (s != carrier) {
          try {
            s.close();
          } catch (IOException e) {
            LOG.debug("h2mux close: {}", e.toString());
          }
        }
      }
      backlog.offer(carrier);
    }
    Thread t = serverThread;
    if (t != null && t != Thread.currentThread()) {
      try {
        if (!t.join(java.time.Duration.ofSeconds(10))) {
          LOG.debug("h2mux session {}: server still running after close", carrier.remoteAddress());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeDone.countDown();
  }
}
