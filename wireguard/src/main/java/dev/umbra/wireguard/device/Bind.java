package dev.umbra.wireguard.device;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The device's outer UDP transport (wireguard-go's conn.Bind): a bound socket, or any {@link
 * PacketConn} (a dialer's socket honouring the dial fields, or a detour outbound's association).
 */
public interface Bind extends Closeable {
  /** Blocks for the next datagram; returns its sender, or null for one to ignore. */
  InetSocketAddress receive(ByteBuffer into) throws IOException;

  void send(ByteBuffer datagram, InetSocketAddress to) throws IOException;

  /** The local address where known (a bound socket), else null. */
  InetSocketAddress localAddress() throws IOException;

  /** Socket buffers asked for (as wireguard-go does): bursts of a fast TCP flow fit. */
  int SOCKET_BUFFER = 4 << 20;

  /**
   * A bound, blocking datagram channel. Its buffers are raised to {@link #SOCKET_BUFFER} where the
   * system allows (the kernel caps them at net.core.rmem_max / wmem_max).
   */
  static Bind of(DatagramChannel channel) {
    try {
      channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
      channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
    } catch (IOException | UnsupportedOperationException e) {
      // the defaults still work, with more drops under bursts
    }
    return new Bind() {
      @Override
      public InetSocketAddress receive(ByteBuffer into) throws IOException {
        SocketAddress from = channel.receive(into);
        return from instanceof InetSocketAddress a ? a : null;
      }

      @Override
      public void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        channel.send(datagram, to);
      }

      @Override
      public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  /** A packet connection; datagrams from domain-named senders are ignored. */
  static Bind of(PacketConn conn) {
    return new Bind() {
      @Override
      public InetSocketAddress receive(ByteBuffer into) throws IOException {
        return conn.receive(into) instanceof Destination.Ip ip ? ip.socketAddress() : null;
      }

      @Override
      public void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        conn.send(datagram, Destination.of(to));
      }

      @Override
      public InetSocketAddress localAddress() {
        return null;
      }

      @Override
      public void close() throws IOException {
        conn.close();
      }
    };
  }
}
