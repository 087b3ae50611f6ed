package dev.umbra.netstack;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The datagrams one sender ({@link #remoteAddress}) sent through the UDP forwarder, to whatever
 * destinations, as a {@link PacketConn}: {@link #receive} returns the destination the sender asked
 * for, and {@link #send} answers the sender from the given address (so replies come from where the
 * sender sent to). Bounded queue; the stack closes the flow after {@link #idleTimeout} of silence.
 */
public final class UdpFlow implements PacketConn {
  static final int QUEUE = 512;

  private record Datagram(Destination to, byte[] data) {}

  private static final Datagram CLOSED = new Datagram(null, new byte[0]);

  private final NetStack stack;
  private final InetSocketAddress remote;
  private final InetSocketAddress firstLocal;
  private final Duration idle;
  private final BlockingQueue<Datagram> queue = new ArrayBlockingQueue<>(QUEUE);
  private volatile long lastActive = System.nanoTime();
  private volatile int timeoutMillis;
  private volatile boolean closed;

  UdpFlow(NetStack stack, InetSocketAddress remote, InetSocketAddress firstLocal, Duration idle) {
    this.stack = stack;
    this.remote = remote;
    this.firstLocal = firstLocal;
    this.idle = idle;
  }

  /** The sender of this flow. */
  public InetSocketAddress remoteAddress() {
    return remote;
  }

  /** Where the flow's first datagram went. */
  public InetSocketAddress localAddress() {
    return firstLocal;
  }

  boolean offer(InetAddress dst, int dstPort, byte[] data) {
    lastActive = System.nanoTime();
    return !closed && queue.offer(new Datagram(new Destination.Ip(dst, dstPort), data));
  }

  boolean idleSince(long now) {
    return now - lastActive > idle.toNanos();
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    Datagram d;
    try {
      int t = timeoutMillis;
      d = t > 0 ? queue.poll(t, TimeUnit.MILLISECONDS) : queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
    if (d == null) {
      throw new SocketTimeoutException("no datagram within " + timeoutMillis + " ms");
    }
    if (d == CLOSED) {
      queue.offer(CLOSED);
      throw new ClosedChannelException();
    }
    into.put(d.data(), 0, Math.min(d.data().length, into.remaining()));
    return d.to();
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (!(to instanceof Destination.Ip ip)) {
      throw new IOException("a UDP flow answers from IP addresses only, not " + to);
    }
    byte[] data = new byte[from.remaining()];
    from.get(data);
    lastActive = System.nanoTime();
    stack.sendUdp(
        new InetSocketAddress(ip.address(), ip.port()),
        remote.getAddress(),
        remote.getPort(),
        data);
  }

  @Override
  public void setReadTimeout(int millis) {
    timeoutMillis = millis;
  }

  @Override
  public Duration idleTimeout() {
    return idle;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      stack.forget(this);
      queue.clear();
      queue.offer(CLOSED);
    }
  }

  @Override
  public String toString() {
    return "udp flow from " + remote;
  }
}
