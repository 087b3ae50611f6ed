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
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
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
 *
 * <p>The receive loop runs on a platform thread of its own: it blocks in the kernel's receive, so a
 * datagram costs no poller registration, wake-up hop or allocation for parking, as a virtual
 * thread's receive does; and a session's {@link PacketConn.Responder} (a DNS cache hit) is answered
 * right there from reused direct buffers, without waking the session's thread at all.
 */
final class UdpForwarder implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpForwarder.class);

  /** Datagrams queued per session before new ones are dropped (UDP may drop). */
  private static final int QUEUE = 256;

  /** Most concurrent sessions; beyond it new clients are dropped. */
  private static final int MAX_SESSIONS = 4096;

  private static final int MAX_DATAGRAM = 65_535;

  private final String tag;
  private final DatagramChannel channel;
  private final Router router;
  private final Destination target;
  private final Duration idle;
  private final Map<InetSocketAddress, Session> sessions = new ConcurrentHashMap<>();
  private volatile Thread receiver;

  UdpForwarder(
      String tag, DatagramChannel channel, Router router, Destination target, Duration idle) {
    this.tag = tag;
    this.channel = channel;
    this.router = router;
    this.target = target;
    this.idle = idle;
  }

  void start() {
    receiver = Thread.ofPlatform().daemon().name("udp-" + tag).start(this::receiveLoop);
  }

  InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void receiveLoop() {
    ByteBuffer in = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    ByteBuffer out = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    byte[] data = new byte[MAX_DATAGRAM];
    byte[] reply = new byte[MAX_DATAGRAM];
    while (channel.isOpen()) {
      InetSocketAddress from;
      try {
        in.clear();
        from = (InetSocketAddress) channel.receive(in);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.warn("inbound/{}: udp receive: {}", tag, e.toString());
        continue;
      }
      in.flip();
      int length = in.remaining();
      in.get(data, 0, length);
      Session s = sessions.get(from);
      if (s != null && !s.closed) {
        PacketConn.Responder r = s.responder;
        if (r != null) {
          int n = r.respond(data, length, reply);
          if (n >= 0) {
            s.inlineAnswers.incrementAndGet();
            out.clear();
            out.put(reply, 0, n).flip();
            try {
              channel.send(out, s.client);
            } catch (IOException e) {
              LOG.debug("inbound/{}: udp send to {}: {}", tag, from, e.toString());
            }
            continue;
          }
        }
      }
      if (s == null || s.closed) {
        if (s != null) {
          sessions.remove(from, s);
        }
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
      s.queue.offer(java.util.Arrays.copyOf(data, length));
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("inbound/{}: closing udp: {}", tag, e.toString());
    }
    sessions.values().forEach(Session::close);
    Thread t = receiver;
    if (t != null) {
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One client's flow, seen by the router as a PacketConn. */
  private final class Session implements PacketConn {
    final InetSocketAddress client;
    final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    volatile boolean closed;
    volatile int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, idle.toMillis());
    volatile PacketConn.Responder responder;

    /** Datagrams of this flow the receive loop answered itself. */
    final java.util.concurrent.atomic.AtomicLong inlineAnswers =
        new java.util.concurrent.atomic.AtomicLong();

    Session(InetSocketAddress client) {
      this.client = client;
    }

    @Override
    public Destination receive(ByteBuffer into) throws IOException {
      try {
        while (true) {
          long answeredBefore = inlineAnswers.get();
          byte[] d = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
          if (closed) {
            throw new SocketException("session closed");
          }
          if (d != null) {
            into.put(d, 0, Math.min(d.length, into.remaining()));
            return target;
          }
          // datagrams answered inline count as traffic: the flow is not idle
          if (inlineAnswers.get() == answeredBefore) {
            throw new SocketTimeoutException("udp session idle");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      }
    }

    @Override
    public void send(ByteBuffer from, Destination source) throws IOException {
      channel.send(from, client);
    }

    @Override
    public boolean respondInline(PacketConn.Responder r) {
      responder = r;
      return true;
    }

    @Override
    public void setReadTimeout(int millis) {
      timeoutMillis = millis == 0 ? Integer.MAX_VALUE : millis;
    }

    @Override
    public void close() {
      closed = true;
      responder = null;
      queue.offer(new byte[0]);
    }
  }
}
