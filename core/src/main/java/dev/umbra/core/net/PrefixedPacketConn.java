package dev.umbra.core.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A packet connection whose first datagram was already received (for sniffing) and comes again. */
public final class PrefixedPacketConn implements PacketConn {
  private final PacketConn inner;
  private ByteBuffer first;
  private Destination firstFrom;

  public PrefixedPacketConn(PacketConn inner, ByteBuffer first, Destination firstFrom) {
    this.inner = inner;
    this.first = first;
    this.firstFrom = firstFrom;
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (this) {
      if (first != null) {
        into.put(first);
        Destination d = firstFrom;
        first = null;
        firstFrom = null;
        return d;
      }
    }
    return inner.receive(into);
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    inner.send(from, to);
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    inner.setReadTimeout(millis);
  }

  @Override
  public Duration idleTimeout() {
    return inner.idleTimeout();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
