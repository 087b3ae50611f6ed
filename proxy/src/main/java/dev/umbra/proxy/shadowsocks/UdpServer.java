package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadowsocks UDP relay: one session per client (address, plus session id where the method has
 * one), routed once, ended after {@code udp_timeout} of silence. Datagrams that do not open are
 * dropped without a word, like any UDP port that is not listening.
 */
final class UdpServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpServer.class);
  private static final int QUEUE = 256;
  private static final int MAX_SESSIONS = 4096;

  private record Key(InetSocketAddress client, Object session) {}

  private record Datagram(Destination destination, byte[] payload) {}

  private final String tag;
  private final InetSocketAddress bind;
  private final Router router;
  private final UdpServerCodec codec;
  private final Duration idle;
  private final Map<Key, Session> sessions = new ConcurrentHashMap<>();
  private DatagramSocket socket;

  UdpServer(
      String tag, InetSocketAddress bind, Router router, UdpServerCodec codec, Duration idle) {
    this.tag = tag;
    this.bind = bind;
    this.router = router;
    this.codec = codec;
    this.idle = idle;
  }

  void start() throws IOException {
    socket = new DatagramSocket(bind);
    LOG.info("inbound/{}: listening on udp {}", tag, socket.getLocalSocketAddress());
    Thread.ofVirtual().name("udp-" + tag).start(this::receiveLoop);
  }

  InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  private void receiveLoop() {
    byte[] buf = new byte[65535];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    while (!socket.isClosed()) {
      try {
        p.setLength(buf.length);
        socket.receive(p);
      } catch (SocketException e) {
        return;
      } catch (IOException e) {
        LOG.warn("inbound/{}: udp receive: {}", tag, e.toString());
        continue;
      }
      InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
      UdpServerCodec.Incoming in;
      try {
        in = codec.open(buf, p.getLength());
      } catch (ShadowsocksException | RuntimeException e) {
        LOG.debug("inbound/{}: udp from {} dropped: {}", tag, from, e.getMessage());
        continue;
      }
      byte[] payload = new byte[in.payload().remaining()];
      in.payload().get(payload);
      Key key = new Key(in.session() == null ? from : null, in.session());
      Session s = sessions.get(key);
      if (s == null) {
        if (sessions.size() >= MAX_SESSIONS) {
          continue;
        }
        s = new Session(from, in.replier());
        sessions.put(key, s);
        Session session = s;
        Metadata m0 = Metadata.of(tag, "shadowsocks", Network.UDP, from, in.destination());
        Metadata m = in.user() == null ? m0 : m0.withUser(in.user());
        Thread.ofVirtual()
            .start(() -> {
              try {
                router.routePackets(session, m, Handshake.NONE);
              } finally {
                sessions.remove(key, session);
                session.close();
              }
            });
      }
      s.client = from; // a client may move (SIP022 sessions survive a new address)
      s.queue.offer(new Datagram(in.destination(), payload));
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.close();
    }
    List.copyOf(sessions.values()).forEach(Session::close);
  }

  /** One client's association, seen by the router as a PacketConn. */
  private final class Session implements PacketConn {
    final BlockingQueue<Datagram> queue = new ArrayBlockingQueue<>(QUEUE);
    final UdpServerCodec.Replier replier;
    volatile InetSocketAddress client;
    volatile boolean closed;
    volatile int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, idle.toMillis());

    Session(InetSocketAddress client, UdpServerCodec.Replier replier) {
      this.client = client;
      this.replier = replier;
    }

    @Override
    public Destination receive(ByteBuffer into) throws IOException {
      try {
        Datagram d = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (closed) {
          throw new SocketException("session closed");
        }
        if (d == null) {
          throw new SocketTimeoutException("udp session idle");
        }
        into.put(d.payload(), 0, Math.min(d.payload().length, into.remaining()));
        return d.destination();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      }
    }

    @Override
    public void send(ByteBuffer from, Destination source) throws IOException {
      byte[] d = replier.seal(source, from);
      socket.send(new DatagramPacket(d, d.length, client));
    }

    @Override
    public void setReadTimeout(int millis) {
      timeoutMillis = millis == 0 ? Integer.MAX_VALUE : millis;
    }

    @Override
    public Duration idleTimeout() {
      return idle;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        queue.offer(new Datagram(null, new byte[0]));
      }
    }
  }
}
