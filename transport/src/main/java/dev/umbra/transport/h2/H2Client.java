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
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.frames.SettingsFrame;
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
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final String name;
  private final Duration idleTimeout;
  private final Duration pingTimeout;
  private final boolean pingWithoutStreams;
  private final ReentrantLock lock = new ReentrantLock();
  private Live live;
  private boolean closed;

  private record Live(
      Session session,
      ConnEndPoint endPoint,
      Conn carrier,
      boolean[] goneAway,
      Thread[] pinger,
      int[] maxStreams) {
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
        // a stream created after all must not linger unowned
        p.thenAccept(st ->
            st.reset(
                new ResetFrame(st.getId(), ErrorCode.CANCEL_STREAM_ERROR.code), Callback.NOOP));
        last = new IOException(name + ": HTTP/2 stream not opened in time");
      } catch (ExecutionException e) {
        last = new IOException(name + ": cannot open an HTTP/2 stream", e.getCause());
      }
      if (l.usable()) {
        // a stream-level failure (e.g. the peer's stream limit): the session and its other
        // streams go on
        throw last;
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
      if (closed) {
        throw new IOException(name + ": closed");
      }
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
    // the server's SETTINGS_MAX_CONCURRENT_STREAMS (Jetty's client does not enforce it)
    int[] maxStreams = {Integer.MAX_VALUE};
    long[] pong = new long[1];
    Session.Listener listener =
        new Session.Listener() {
          @Override
          public void onGoAway(Session session, GoAwayFrame frame) {
            goneAway[0] = true;
          }

          @Override
          public void onSettings(Session session, SettingsFrame frame) {
            Integer max = frame.getSettings().get(SettingsFrame.MAX_CONCURRENT_STREAMS);
            if (max != null) {
              maxStreams[0] = max;
            }
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
    Live l = new Live(session, ep, carrier, goneAway, new Thread[1], maxStreams);
    if (idleTimeout != null && !idleTimeout.isZero()) {
      l.pinger()[0] = Thread.ofVirtual().name(name + "-ping").start(() -> healthCheck(l, pong));
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

  /**
   * Closes the live session and its carrier and waits (bounded) until the threads it started have
   * ended; later opens fail. Streams still open fail.
   */
  public void close() {
    Live l;
    lock.lock();
    try {
      closed = true;
      l = live;
      live = null;
    } finally {
      lock.unlock();
    }
    if (l == null) {
      return;
    }
    Thread pinger = l.pinger()[0];
    if (pinger != null) {
      pinger.interrupt();
    }
    l.session().close(ErrorCode.NO_ERROR.code, "", Callback.NOOP);
    l.endPoint().close();
    try {
      // the GOAWAY is queued; the writer sends it (bounded) and closes the carrier
      if (!l.endPoint().awaitStopped(CLOSE_WAIT) || (pinger != null && !joined(pinger))) {
        LOG.debug("{}: HTTP/2 session threads still running after {}", name, CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean joined(Thread t) throws InterruptedException {
    return t == Thread.currentThread() || t.join(CLOSE_WAIT);
  }

  /**
   * Whether the live session takes another stream now: open, no GOAWAY, and under the peer's
   * concurrent-stream limit (Go's ClientConn.CanTakeNewRequest).
   */
  public boolean canTakeNewStream() {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      if (live == null) {
        return true;
      }
      if (!live.usable()) {
        return false;
      }
      return live.session().getStreams().size() < live.maxStreams()[0];
    } finally {
      lock.unlock();
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
