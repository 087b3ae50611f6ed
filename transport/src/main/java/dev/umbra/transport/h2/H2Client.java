package dev.umbra.transport.h2;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.Dial;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.HTTP2ClientConnectionFactory;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.PingFrame;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client half of an HTTP/2 transport: one session over one carrier, reused by every stream
 * until it closes or the server sends GOAWAY; then the next stream dials a new carrier. With an
 * idle timeout, a session that received nothing for that long is PINGed and closed if the answer
 * takes longer than the ping timeout (Go's ReadIdleTimeout/PingTimeout).
 */
public final class H2Client {
  private static final Logger LOG = LoggerFactory.getLogger(H2Client.class);
  private static final long OPEN_TIMEOUT_SECONDS = 15;

  private final String name;
  private final Duration idleTimeout;
  private final Duration pingTimeout;
  private final boolean pingWithoutStreams;
  private final ReentrantLock lock = new ReentrantLock();
  private Live live;

  private record Live(Session session, ConnEndPoint endPoint, Conn carrier, boolean[] goneAway) {
    boolean usable() {
      return !session.isClosed() && !goneAway[0] && endPoint.isOpen();
    }
  }

  public H2Client(
      String name, Duration idleTimeout, Duration pingTimeout, boolean pingWithoutStreams) {
    this.name = name;
    this.pingWithoutStreams = pingWithoutStreams;
    this.idleTimeout = idleTimeout;
    this.pingTimeout = pingTimeout == null ? Duration.ofSeconds(15) : pingTimeout;
  }

  /**
   * Opens a stream carrying {@code request} on the live session (dialing one with {@code dial} if
   * needed); reads wait for the response, which must be 200.
   */
  public H2StreamConn open(Dial dial, MetaData.Request request) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      Live l = live(dial);
      H2StreamConn c = new H2StreamConn(l.carrier(), true, null);
      Promise.Completable<Stream> p = new Promise.Completable<>();
      l.session().newStream(new HeadersFrame(request, null, false), p, c.listener());
      try {
        c.attach(p.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        return c;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      } catch (TimeoutException e) {
        last = new IOException(name + ": HTTP/2 stream not opened in time");
      } catch (ExecutionException e) {
        last = new IOException(name + ": cannot open an HTTP/2 stream", e.getCause());
      }
      // the session died under us (GOAWAY, reset carrier): drop it and try a fresh one once
      drop(l);
    }
    throw last;
  }

  private void drop(Live l) {
    lock.lock();
    try {
      if (live == l) {
        live = null;
      }
    } finally {
      lock.unlock();
    }
    l.session().close(ErrorCode.NO_ERROR.code, "", Callback.NOOP);
  }

  private Live live(Dial dial) throws IOException {
    lock.lock();
    try {
      if (live != null && live.usable()) {
        return live;
      }
      live = connect(dial);
      return live;
    } finally {
      lock.unlock();
    }
  }

  private Live connect(Dial dial) throws IOException {
    HTTP2Client client = JettyRuntime.client();
    Conn carrier = dial.dial();
    ConnEndPoint ep = new ConnEndPoint(client.getScheduler(), carrier, null);
    boolean[] goneAway = new boolean[1];
    long[] pong = new long[1];
    Session.Listener listener =
        new Session.Listener() {
          @Override
          public void onGoAway(Session session, GoAwayFrame frame) {
            goneAway[0] = true;
          }

          @Override
          public void onPing(Session session, PingFrame frame) {
            if (frame.isReply()) {
              synchronized (pong) {
                pong[0] = System.nanoTime();
                pong.notifyAll();
              }
            }
          }

          @Override
          public boolean onIdleTimeout(Session session) {
            return false;
          }
        };
    Promise.Completable<Session> promise = new Promise.Completable<>();
    Map<String, Object> context = new HashMap<>();
    context.put(HTTP2Client.CONTEXT_KEY, client);
    context.put(HTTP2Client.SESSION_LISTENER_CONTEXT_KEY, listener);
    context.put(HTTP2Client.SESSION_PROMISE_CONTEXT_KEY, promise);
    Session session;
    try {
      Connection connection = new HTTP2ClientConnectionFactory().newConnection(ep, context);
      ep.setConnection(connection);
      ep.onOpen();
      connection.onOpen();
      ep.startIo(name);
      session = promise.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      carrier.close();
      throw new InterruptedIOException();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      carrier.close();
      throw new IOException(name + ": HTTP/2 session setup failed", e);
    }
    Live l = new Live(session, ep, carrier, goneAway);
    if (idleTimeout != null && !idleTimeout.isZero()) {
      Thread.ofVirtual().name(name + "-ping").start(() -> healthCheck(l, pong));
    }
    LOG.debug("{}: new HTTP/2 session over {}", name, carrier);
    return l;
  }

  /** Go's http2 health check: PING after {@code idleTimeout} of silence, close on no answer. */
  private void healthCheck(Live l, long[] pong) {
    long idle = idleTimeout.toNanos();
    try {
      while (!l.session().isClosed()) {
        long quiet = l.endPoint().nanosSinceLastRead();
        if (quiet < idle || (!pingWithoutStreams && l.session().getStreams().isEmpty())) {
          long wait = quiet < idle ? idle - quiet : idle;
          Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
          continue;
        }
        long sent = System.nanoTime();
        l.session().ping(new PingFrame(sent, false), Callback.NOOP);
        long deadline = sent + pingTimeout.toNanos();
        synchronized (pong) {
          while (pong[0] < sent && System.nanoTime() < deadline) {
            pong.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
          }
          if (pong[0] < sent) {
            LOG.debug("{}: no PING answer in {}; closing the HTTP/2 session", name, pingTimeout);
            drop(l);
            l.endPoint().close();
            return;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether a session is open now (no new carrier would be dialed for the next stream). */
  public boolean hasLiveSession() {
    lock.lock();
    try {
      return live != null && live.usable();
    } finally {
      lock.unlock();
    }
  }

  /** Streams open on the live session now (0 without one). */
  public int streamCount() {
    lock.lock();
    try {
      return live != null && live.usable() ? live.session().getStreams().size() : 0;
    } finally {
      lock.unlock();
    }
  }
}
