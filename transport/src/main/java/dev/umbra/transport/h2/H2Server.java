package dev.umbra.transport.h2;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.ServerStack;
import dev.umbra.transport.StreamHandler;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.api.server.ServerSessionListener;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.server.RawHTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.WindowRateControl;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server half of an HTTP/2 transport: runs one session over an accepted carrier, checks each
 * request (a refused one gets its status and ends; the others go on untouched) and hands every
 * accepted stream to the inbound on its own virtual thread.
 */
public final class H2Server {
  private static final Logger LOG = LoggerFactory.getLogger(H2Server.class);

  /** Until the inbound has read its protocol header (it then sets its own timeout). */
  private static final int STREAM_HANDSHAKE_TIMEOUT_MILLIS = 60_000;

  /** What to answer a request: 200 with headers (and trailers ending our side) or an error. */
  public record Verdict(int status, String reason, HttpFields headers, HttpFields endTrailers) {
    public static Verdict refuse(int status, String reason) {
      return new Verdict(status, reason, HttpFields.EMPTY, null);
    }
  }

  /** Checks one request's method, path, authority and headers. */
  @FunctionalInterface
  public interface RequestCheck {
    Verdict check(MetaData.Request request);
  }

  /**
   * Resets and other control frames a session may send per second before it is closed (the
   * rapid-reset defence). Jetty's default of 128 closed a whole sing-mux session, other streams and
   * all, when its client reset a burst of streams; Go's HTTP/2 server, which sing-box serves h2mux
   * with, has no such rate limit. Still a bound per session.
   */
  static final int CONTROL_EVENTS_PER_SECOND = 2048;

  private final String name;
  private final RequestCheck check;
  private final Duration idleTimeout;
  private final Factory factory = new Factory();
  private final java.util.Set<ConnEndPoint> serving =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  public H2Server(String name, RequestCheck check, Duration idleTimeout) {
    this.name = name;
    this.check = check;
    this.idleTimeout = idleTimeout;
    factory.setStreamIdleTimeout(0);
    factory.setInitialSessionRecvWindow(8 * 1024 * 1024);
    factory.setInitialStreamRecvWindow(4 * 1024 * 1024);
    factory.setRateControlFactory(new WindowRateControl.Factory(CONTROL_EVENTS_PER_SECOND));
  }

  /** Reads the session listener from our endpoint instead of sharing one for all connections. */
  private static final class Factory extends RawHTTP2ServerConnectionFactory {
    Factory() {
      super(new ServerSessionListener() {});
    }

    @Override
    protected ServerSessionListener newSessionListener(Connector connector, EndPoint endPoint) {
      return (ServerSessionListener) ((ConnEndPoint) endPoint).attachment;
    }

    /** The SETTINGS the factory's own listener would send (stream limit, windows). */
    java.util.Map<Integer, Integer> settings() {
      return newSettings();
    }
  }

  /**
   * Serves the session on {@code carrier} until it ends; {@code prefix} holds bytes already read
   * from it (the client preface, while telling HTTP/2 from HTTP/1.1).
   */
  public void serve(Conn carrier, byte[] prefix, String alpn, StreamHandler handler)
      throws IOException {
    carrier.setReadTimeout(0);
    LocalConnector connector = JettyRuntime.connector();
    ConnEndPoint ep = new ConnEndPoint(connector.getScheduler(), carrier, prefix);
    CountDownLatch closed = new CountDownLatch(1);
    ep.attachment = new Listener(carrier, alpn, handler);
    Connection connection = factory.newConnection(connector, ep);
    connection.addEventListener(
        new Connection.Listener() {
          @Override
          public void onClosed(Connection c) {
            closed.countDown();
          }
        });
    ep.setConnection(connection);
    ep.onOpen();
    connection.onOpen();
    ep.startIo(name);
    serving.add(ep);
    Session session = null;
    try {
      // Jetty's connection-closed event does not always come: the endpoint's own close ends it too
      while (closed.getCount() > 0 && !ep.awaitClosed(1000)) {
        if (session == null && connection instanceof org.eclipse.jetty.http2.HTTP2Connection h) {
          session = h.getSession();
        }
        if (idleTimeout != null
            && !idleTimeout.isZero()
            && session != null
            && session.getStreams().isEmpty()
            && ep.nanosSinceLastRead() > idleTimeout.toNanos()) {
          LOG.debug("{}: HTTP/2 session idle for {}; closing", name, idleTimeout);
          session.close(ErrorCode.NO_ERROR.code, "idle", Callback.NOOP);
        }
      }
      // the session is over: return only once its reader and writer have ended too
      serving.remove(ep);
      ep.close();
      if (!ep.awaitStopped(Duration.ofSeconds(5))) {
        LOG.debug("{}: HTTP/2 session threads still running after close", name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      serving.remove(ep);
      ep.close();
      throw new InterruptedIOException();
    }
  }

  /**
   * Ends every session this server is serving now: their {@link #serve} calls return once the
   * session's threads have ended.
   */
  public void close() {
    for (ConnEndPoint ep : java.util.List.copyOf(serving)) {
      ep.close();
    }
  }

  private final class Listener implements ServerSessionListener {
    private final Conn carrier;
    private final String alpn;
    private final StreamHandler handler;

    Listener(Conn carrier, String alpn, StreamHandler handler) {
      this.carrier = carrier;
      this.alpn = alpn;
      this.handler = handler;
    }

    @Override
    public Stream.Listener onNewStream(Stream stream, HeadersFrame frame) {
      if (!(frame.getMetaData() instanceof MetaData.Request request)) {
        stream.reset(new ResetFrame(stream.getId(), ErrorCode.PROTOCOL_ERROR.code), Callback.NOOP);
        return null;
      }
      Verdict v = check.check(request);
      if (v.status() != 200) {
        LOG.warn(
            "{}: {}: refused {} {} ({}): {}",
            name,
            carrier.remoteAddress(),
            request.getMethod(),
            request.getHttpURI().getPathQuery(),
            v.status(),
            v.reason());
        boolean bodyPending = !frame.isEndStream();
        stream.headers(
            new HeadersFrame(
                stream.getId(),
                new MetaData.Response(v.status(), null, HttpVersion.HTTP_2, HttpFields.EMPTY),
                null,
                true),
            bodyPending
                ? Callback.from(() ->
                    stream.reset(
                        new ResetFrame(stream.getId(), ErrorCode.NO_ERROR.code), Callback.NOOP))
                : Callback.NOOP);
        return new Stream.Listener() {};
      }
      H2StreamConn conn = new H2StreamConn(carrier, false, v.endTrailers());
      conn.attach(stream);
      conn.setReadTimeout(STREAM_HANDSHAKE_TIMEOUT_MILLIS);
      // the handler may write at once: the conn holds its DATA until these HEADERS are out
      conn.respond(new MetaData.Response(200, null, HttpVersion.HTTP_2, v.headers()));
      Thread.ofVirtual()
          .name(name + "-stream-" + stream.getId())
          .start(() -> {
            try {
              handler.handle(new ServerStack.Accepted(conn, alpn));
            } catch (IOException | RuntimeException e) {
              LOG.debug("{}: stream {}: {}", name, stream.getId(), e.toString());
              conn.close();
            }
          });
      return conn.listener();
    }

    @Override
    public boolean onIdleTimeout(Session session) {
      return false;
    }

    /**
     * Our SETTINGS: without them the client is never told the concurrent-stream limit this server
     * enforces (it would see its extra streams refused) nor the larger receive windows.
     */
    @Override
    public java.util.Map<Integer, Integer> onPreface(Session session) {
      return factory.settings();
    }

    @Override
    public void onFailure(Session session, Throwable failure, Callback callback) {
      // a connection error (bad frame, flow-control violation…): only this session ends; a
      // carrier closed under the session (either side shut down) is not worth a warning
      if (failure instanceof java.nio.channels.ClosedChannelException
          || failure instanceof org.eclipse.jetty.io.EofException
          || "HTTP/2 carrier closed".equals(failure.getMessage())) {
        LOG.debug(
            "{}: {}: HTTP/2 session ended: {}", name, carrier.remoteAddress(), failure.toString());
      } else {
        LOG.warn(
            "{}: {}: HTTP/2 session failed: {}", name, carrier.remoteAddress(), failure.toString());
      }
      callback.succeeded();
    }

    @Override
    public void onGoAway(Session session, org.eclipse.jetty.http2.frames.GoAwayFrame frame) {
      LOG.debug("{}: {}: GOAWAY {}", name, carrier.remoteAddress(), frame);
    }
  }
}
