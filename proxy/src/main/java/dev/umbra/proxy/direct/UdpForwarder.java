package dev.umbra.proxy.direct;

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
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP side of a port forward: one session per client address (a NAT entry), each routed once and
 * ended after {@code udp_timeout} of silence.
 */
final class UdpForwarder implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpForwarder.class);

  /** Datagrams queued per session before new ones are dropped (UDP may drop). */
  private static final int QUEUE = 256;

  /** Most concurrent sessions; beyond it new clients are dropped. */
  private static final int MAX_SESSIONS = 4096;

  private final String tag;
  private final DatagramSocket socket;
  private final Router router;
  private final Destination target;
  private final Duration idle;
  private final Map<InetSocketAddress, Session> sessions = new ConcurrentHashMap<>();

  UdpForwarder(
      String tag, DatagramSocket socket, Router router, Destination target, Duration idle) {
    this.tag = tag;
    this.socket = socket;
    this.router = router;
    this.target = target;
    this.idle = idle;
  }

  void start() {
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
      byte[] data = java.util.Arrays.copyOfRange(buf, 0, p.getLength());
      Session s = sessions.get(from);
      if (s == null) {
        if (sessions.size() >= MAX_SESSIONS) {
          continue;
        }
        s = new Session(from);
        sessions.put(from, s);
        Session session = s;
        Metadata m = Metadata.of(tag, "direct", Network.UDP, from, target);
        Thread.ofVirtual()
            .start(() -> {
              try {
                router.routePackets(session, m, Handshake.NONE);
              } finally {
                sessions.remove(from, session);
                session.close();
              }
            });
      }
      s.queue.offer(data);
    }
  }

  @Override
  public void close() {
    socket.close();
    sessions.values().forEach(Session::close);
  }

  /** One client's flow, seen by the router as a PacketConn. */
  private final class Session implements PacketConn {
    final InetSocketAddress client;
    final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    volatile boolean closed;
    volatile int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, idle.toMillis());

    Session(InetSocketAddress client) {
      this.client = client;
    }

    @Override
    public Destination receive(ByteBuffer into) throws IOException {
      try {
        byte[] d = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (closed) {
          throw new SocketException("session closed");
        }
        if (d == null) {
          throw new SocketTimeoutException("udp session idle");
        }
        into.put(d, 0, Math.min(d.length, into.remaining()));
        return target;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      }
    }

    @Override
    public void send(ByteBuffer from, Destination source) throws IOException {
      if (from.hasArray()) {
        int n = from.remaining();
        socket.send(
            new DatagramPacket(from.array(), from.arrayOffset() + from.position(), n, client));
        from.position(from.limit());
        return;
      }
      byte[] d = new byte[from.remaining()];
      from.get(d);
      socket.send(new DatagramPacket(d, d.length, client));
    }

    @Override
    public void setReadTimeout(int millis) {
      timeoutMillis = millis == 0 ? Integer.MAX_VALUE : millis;
    }

    @Override
    public void close() {
      closed = true;
      queue.offer(new byte[0]);
    }
  }
}
