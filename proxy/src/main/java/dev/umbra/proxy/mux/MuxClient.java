package dev.umbra.proxy.mux;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import dev.umbra.transport.StreamConn;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sing-mux client of one outbound: opens sessions through the outbound's protocol to {@link
 * SingMux#DESTINATION} and streams inside them, choosing sessions as sing-mux's {@code offer} does.
 * A stream that fails fails alone; a session ends only on a session-level error (broken carrier,
 * protocol violation) and the next stream then opens a new one.
 */
public final class MuxClient implements java.io.Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(MuxClient.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Opens a new carrier to the mux destination through the outbound's protocol. */
  @FunctionalInterface
  public interface Opener {
    Conn open() throws IOException;
  }

  private final String tag;
  private final Opener opener;
  private final int protocol;
  private final boolean padding;
  private final int maxConnections;
  private final int minStreams;
  private final int maxStreams;
  private final List<Session> sessions = new ArrayList<>();
  private boolean closed;

  private MuxClient(String tag, MultiplexOutboundOptions o, Opener opener) {
    this.tag = tag;
    this.opener = opener;
    this.protocol = o.protocolId();
    this.padding = Boolean.TRUE.equals(o.padding());
    this.maxConnections = o.maxConnections() == null ? 0 : o.maxConnections();
    this.maxStreams = o.maxStreams() == null ? 0 : o.maxStreams();
    int min = o.minStreams() == null ? 0 : o.minStreams();
    this.minStreams = maxStreams == 0 && maxConnections == 0 ? 8 : min;
  }

  /** A client for {@code o}, or null when multiplexing is off. */
  public static MuxClient create(String tag, MultiplexOutboundOptions o, Opener opener) {
    return o == null || !o.on() ? null : new MuxClient(tag, o, opener);
  }

  /** A TCP stream to {@code destination}. */
  public Conn dial(Destination destination) throws IOException {
    Conn s = openStream();
    try {
      s.out().write(SingMux.encode(new SingMux.StreamRequest(false, false, destination)));
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return new StreamConn(s, new AfterResponse(s.in()), s.out(), s::shutdownOutput);
  }

  /** A UDP association; each datagram carries its address (sing-mux packet-addr streams). */
  public PacketConn listenPacket(Destination destination) throws IOException {
    Conn s = openStream();
    try {
      s.out().write(SingMux.encode(new SingMux.StreamRequest(true, true, destination)));
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return new MuxPacketConn(s, new AfterResponse(s.in()), null);
  }

  /**
   * A new stream, on the session {@link #offer} picks. A failed open fails this stream only: the
   * session goes on unless it is itself dead (then the next offer drops it). One retry, as
   * sing-mux.
   */
  private Conn openStream() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      Session session;
      try {
        session = offer();
      } catch (IOException e) {
        last = e;
        continue;
      }
      try {
        return session.open();
      } catch (IOException e) {
        last = e;
        LOG.debug(
            "outbound/{}: stream open failed{}: {}",
            tag,
            session.isClosed() ? " (session closed)" : "",
            e.getMessage());
      }
    }
    throw last;
  }

  /**
   * sing-mux's offer: the least-loaded session that takes new streams; a new session instead when
   * none does, or when the rules ask for one: with {@code max_connections}, while under that many
   * sessions and the least-loaded one has {@code min_streams} or more; without it, when {@code
   * max_streams} is unset or reached.
   */
  private Session offer() throws IOException {
    synchronized (sessions) {
      if (closed) {
        throw new IOException("outbound/" + tag + ": multiplex client closed");
      }
      for (var it = sessions.iterator(); it.hasNext(); ) {
        Session s = it.next();
        if (s.isClosed()) {
          s.close(); // releases what a session that died on its own still holds
          it.remove();
        }
      }
      Session least =
          sessions.stream()
              .filter(Session::canTakeNewStream)
              .min(Comparator.comparingInt(Session::numStreams))
              .orElse(null);
      if (least != null) {
        int n = least.numStreams();
        if (n == 0) {
          return least;
        }
        if (maxConnections > 0) {
          if (sessions.size() >= maxConnections || n < minStreams) {
            return least;
          }
        } else if (maxStreams > 0 && n < maxStreams) {
          return least;
        }
      }
      Session fresh = newSession();
      sessions.add(fresh);
      return fresh;
    }
  }

  private Session newSession() throws IOException {
    Conn carrier = opener.open();
    try {
      int version = padding ? SingMux.VERSION_1 : SingMux.VERSION_0;
      carrier
          .out()
          .write(
              SingMux.encode(
                  new SingMux.Preamble(version, protocol, padding), 256 + RANDOM.nextInt(512)));
      carrier.out().flush();
      Conn c = padding ? Padding.wrap(carrier) : carrier;
      LOG.debug("outbound/{}: new mux session ({})", tag, protocol);
      String name = "mux/" + tag;
      return switch (protocol) {
        case SingMux.PROTOCOL_SMUX -> new SmuxSession(c, true).start(name);
        case SingMux.PROTOCOL_YAMUX -> new YamuxSession(c, true).start(name);
        case SingMux.PROTOCOL_H2MUX -> H2MuxSession.client(c, name);
        default -> throw new IOException("mux protocol " + protocol + " is not supported");
      };
    } catch (IOException | RuntimeException e) {
      carrier.close();
      throw e;
    }
  }

  /** Number of open sessions (for tests and stats). */
  public int sessionCount() {
    synchronized (sessions) {
      return (int) sessions.stream().filter(s -> !s.isClosed()).count();
    }
  }

  /**
   * Closes every session (carriers, HTTP/2 sessions, the threads they started) and refuses new
   * streams; returns once those threads have ended (bounded).
   */
  @Override
  public void close() {
    List<Session> all;
    synchronized (sessions) {
      closed = true;
      all = List.copyOf(sessions);
      sessions.clear();
    }
    all.forEach(Session::close);
  }

  /** The stream's input after the server's status, which is read and checked first. */
  static final class AfterResponse extends InputStream {
    private final InputStream in;
    private boolean checked;

    AfterResponse(InputStream in) {
      this.in = in;
    }

    private void check() throws IOException {
      if (!checked) {
        SingMux.readResponse(new DataInputStream(in));
        checked = true;
      }
    }

    @Override
    public int read() throws IOException {
      check();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      check();
      return in.read(b, off, len);
    }
  }
}
