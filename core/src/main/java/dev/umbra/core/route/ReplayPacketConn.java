package dev.umbra.core.route;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/** A packet connection whose first datagrams were read for sniffing and are delivered again. */
final class ReplayPacketConn implements PacketConn {
  record Datagram(ByteBuffer data, Destination from) {}

  private final PacketConn inner;
  private final ArrayDeque<Datagram> pending;

  ReplayPacketConn(PacketConn inner, List<Datagram> first) {
    this.inner = inner;
    this.pending = new ArrayDeque<>(first);
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (pending) {
      Datagram d = pending.pollFirst();
      if (d != null) {
        ByteBuffer data = d.data().duplicate();
        data.limit(data.position() + Math.min(data.remaining(), into.remaining()));
        into.put(data);
        return d.from();
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
