package dev.umbra.proxy.mux;

import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Network;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sing-mux server of one inbound: a connection whose destination is {@link SingMux#DESTINATION}
 * carries a session; each stream in it is routed like a connection of its own (same inbound, source
 * and user).
 */
public final class MuxServer implements java.io.Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(MuxServer.class);
  static final int REQUEST_TIMEOUT_MILLIS = 30_000;

  /** How long a refused stream waits for the client to close it after the error response. */
  static final int ERROR_LINGER_MILLIS = 10_000;

  private final String tag;
  private final boolean requirePadding;
  private final java.util.Set<Session> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.Set<Thread> streamThreads =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private MuxServer(String tag, MultiplexInboundOptions o) {
    this.tag = tag;
    this.requirePadding = Boolean.TRUE.equals(o.padding());
  }

  /** A server for {@code o}, or null when multiplexing is off. */
  public static MuxServer create(String tag, MultiplexInboundOptions o) {
    return o == null || !o.on() ? null : new MuxServer(tag, o);
  }

  /**
   * Routes a stream an inbound accepted, or serves it as a sing-mux session when it is one and
   * {@code mux} (null: multiplexing off) takes sessions.
   */
  public static void route(MuxServer mux, Router router, Conn c, Metadata m) {
    if (mux != null && mux.accepts(m)) {
      mux.serve(c, m, router);
    } else {
      router.routeConnection(c, m, Handshake.NONE);
    }
  }

  /** Whether {@code conn} to {@code m.destination()} is a session for us. */
  public boolean accepts(Metadata m) {
    return SingMux.isMuxDestination(m.destination());
  }

  /** Serves the session on {@code conn} until it ends, then closes it. */
  public void serve(Conn conn, Metadata m, Router router) {
    Session session;
    if (closed) {
      closeQuietly(conn);
      return;
    }
    try {
      conn.setReadTimeout(REQUEST_TIMEOUT_MILLIS);
      SingMux.Preamble p = SingMux.readPreamble(new DataInputStream(conn.in()));
      if (requirePadding && !p.padding()) {
        LOG.warn("inbound/{}: {}: non-padded mux session rejected", tag, m.source());
        conn.close();
        return;
      }
      conn.setReadTimeout(0);
      Conn c = p.padding() ? Padding.wrap(conn) : conn;
      session =
          switch (p.protocol()) {
            case SingMux.PROTOCOL_SMUX -> new SmuxSession(c, false);
            case SingMux.PROTOCOL_YAMUX -> new YamuxSession(c, false);
            case SingMux.PROTOCOL_H2MUX -> H2MuxSession.server(c, "mux/" + tag);
            default -> throw new java.net.ProtocolException("unknown mux protocol " + p.protocol());
          };
    } catch (IOException e) {
      LOG.warn("inbound/{}: {}: mux session refused: {}", tag, m.source(), e.getMessage());
      closeQuietly(conn);
      return;
    }
    live.add(session);
    if (closed) {
      // close() ran while this session was being set up
      live.remove(session);
      session.close();
      return;
    }
    LOG.debug("inbound/{}: {}: mux session", tag, m.source());
    if (session instanceof MuxSession framed) {
      framed.start("mux/" + tag);
    }
    try {
      while (true) {
        Conn s = session.accept();
        Thread t =
            Thread.ofVirtual()
                .name("mux/" + tag + "-stream")
                .unstarted(() -> {
                  try {
                    stream(s, m, router);
                  } finally {
                    streamThreads.remove(Thread.currentThread());
                  }
                });
        streamThreads.add(t);
        t.start();
      }
    } catch (IOException e) {
      LOG.debug("inbound/{}: {}: mux session ended: {}", tag, m.source(), e.toString());
    } finally {
      live.remove(session);
      session.close();
    }
  }

  /** Sessions being served now (for tests and stats). */
  public int sessionCount() {
    return live.size();
  }

  /**
   * Closes every session this server runs (carriers, HTTP/2 sessions, their threads) and refuses
   * new ones; called when the inbound closes, since its accepted connections otherwise outlive it.
   */
  @Override
  public void close() {
    closed = true;
    for (Session s : List.copyOf(live)) {
      live.remove(s);
      s.close();
    }
    // the streams failed with their sessions: wait (bounded) until their handlers are done
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    try {
      for (Thread t : List.copyOf(streamThreads)) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
          LOG.debug("inbound/{}: mux stream handlers still running after close", tag);
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stream(Conn s, Metadata m, Router router) {
    SingMux.StreamRequest r;
    try {
      s.setReadTimeout(REQUEST_TIMEOUT_MILLIS);
      r = SingMux.readStreamRequest(new DataInputStream(s.in()));
      s.setReadTimeout(0);
    } catch (IOException e) {
      LOG.warn("inbound/{}: {}: bad mux stream request: {}", tag, m.source(), e.getMessage());
      closeQuietly(s);
      return;
    }
    Network network = r.udp() ? Network.UDP : Network.TCP;
    Metadata sm =
        Metadata.of(m.inbound(), m.inboundType(), network, m.source(), r.destination())
            .withUser(m.user());
    LOG.debug("inbound/{}: {}: mux {} stream -> {}", tag, m.source(), network, r.destination());
    Handshake reply =
        new Handshake() {
          @Override
          public void succeed() throws IOException {
            s.out().write(SingMux.success());
            s.out().flush();
          }

          @Override
          public void fail(Exception cause) throws IOException {
            s.out().write(SingMux.error(String.valueOf(cause.getMessage())));
            s.out().flush();
            // end our side in order and let the client close first: closing a stream whose peer
            // still sends resets it (h2mux: RST_STREAM), and the client would see that reset
            // instead of the error message (bounded: a silent client is closed after the timeout)
            s.shutdownOutput();
            s.setReadTimeout(ERROR_LINGER_MILLIS);
            try {
              s.in().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
              LOG.debug("inbound/{}: refused mux stream: {}", tag, e.toString());
            }
          }
        };
    if (r.udp()) {
      router.routePackets(
          new MuxPacketConn(s, s.in(), r.packetAddr() ? null : r.destination()), sm, reply);
    } else {
      router.routeConnection(s, sm, reply);
    }
  }

  private static void closeQuietly(Conn c) {
    try {
      c.close();
    } catch (IOException e) {
      LOG.debug("close: {}", e.toString());
    }
  }
}
