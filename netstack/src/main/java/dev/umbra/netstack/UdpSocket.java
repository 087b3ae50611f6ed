package dev.umbra.netstack;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A UDP port of the stack as a {@link PacketConn}. Incoming datagrams wait in a bounded queue
 * (extra ones are dropped, as a full socket buffer drops them); {@link #receive} returns the
 * sender's address.
 */
public final class UdpSocket implements PacketConn {
  static final int QUEUE = 1024;

  private record Datagram(Destination from, byte[] data) {}

  private static final Datagram CLOSED = new Datagram(null, new byte[0]);

  private final NetStack stack;
  private final InetSocketAddress local;
  private final BlockingQueue<Datagram> queue = new ArrayBlockingQueue<>(QUEUE);
  private volatile int timeoutMillis;
  private volatile boolean closed;

  UdpSocket(NetStack stack, InetSocketAddress local) {
    this.stack = stack;
    this.local = local;
  }

  public InetSocketAddress localAddress() {
    return local;
  }

  /** Called by the stack; false if the queue is full and the datagram was dropped. */
  boolean offer(InetAddress srcAddr, int srcPort, byte[] data) {
    return !closed && queue.offer(new Datagram(new Destination.Ip(srcAddr, srcPort), data));
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
      throw new java.io.InterruptedIOException("interrupted");
    }
    if (d == null) {
      throw new SocketTimeoutException("no datagram within " + timeoutMillis + " ms");
    }
    if (d == CLOSED) {
      throw new ClosedChannelException();
    }
    into.put(d.data(), 0, Math.min(d.data().length, into.remaining()));
    return d.from();
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (!(to instanceof Destination.Ip ip)) {
      throw new IOException("the netstack sends only to IP addresses, not " + to);
    }
    byte[] data = new byte[from.remaining()];
    from.get(data);
    stack.sendUdp(local, ip.address(), ip.port(), data);
  }

  @Override
  public void setReadTimeout(int millis) {
    timeoutMillis = millis;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      stack.unbind(this);
      queue.clear();
      queue.offer(CLOSED);
    }
  }
}
