package dev.umbra.proxy.direct;

import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Inbound;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.SocketConn;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.DatagramChannel;

/**
 * A port forward: every TCP connection and UDP flow arriving here goes to {@code
 * override_address}:{@code override_port} (each defaulting to where the client connected).
 */
public final class DirectInbound implements Inbound {
  private final String tag;
  private final DirectInboundOptions options;
  private final Router router;
  private final TcpListener tcp;
  private UdpForwarder udp;

  public DirectInbound(
      String tag, DirectInboundOptions options, dev.umbra.core.adapter.AdapterContext context) {
    this.tag = tag;
    this.options = options;
    this.router = context.router();
    TcpListener.listenAddress(options.listen(), "");
    this.tcp =
        options.tcp()
            ? new TcpListener(
                tag,
                options.listen(),
                TcpListener.withDetour(options.listen(), context, this::handle))
            : null;
  }

  Destination target(InetAddress localAddress, int localPort) {
    String host =
        options.overrideAddress() != null
            ? options.overrideAddress()
            : localAddress.getHostAddress();
    int port = options.overridePort() != null ? options.overridePort() : localPort;
    return Destination.of(host, port);
  }

  private void handle(Socket socket) {
    Metadata m =
        Metadata.of(
            tag,
            "direct",
            Network.TCP,
            (InetSocketAddress) socket.getRemoteSocketAddress(),
            target(socket.getLocalAddress(), socket.getLocalPort()));
    try {
      router.routeConnection(new SocketConn(socket), m, Handshake.NONE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void start(StartStage stage) throws IOException {
    if (stage != StartStage.START) {
      return;
    }
    if (tcp != null) {
      tcp.start();
    }
    if (options.udp()) {
      InetAddress address = TcpListener.listenAddress(options.listen(), "");
      int port = options.listen().listenPort() == null ? 0 : options.listen().listenPort();
      if (tcp != null && port == 0) {
        port = tcp.localAddress().getPort();
      }
      DatagramChannel channel = DatagramChannel.open();
      try {
        // a burst that arrives while the receive thread waits for a core is queued, not dropped
        // (the kernel caps this at net.core.rmem_max)
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.bind(new InetSocketAddress(address, port));
      } catch (IOException e) {
        channel.close();
        throw e;
      }
      udp =
          new UdpForwarder(
              tag,
              channel,
              router,
              target(address, ((InetSocketAddress) channel.getLocalAddress()).getPort()),
              options.listen().udpIdleTimeout());
      udp.start();
    }
  }

  /** The TCP listening address (or the UDP one for a UDP-only forward). */
  public InetSocketAddress localAddress() {
    return tcp != null ? tcp.localAddress() : udp.localAddress();
  }

  @Override
  public String type() {
    return "direct";
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public void close() throws IOException {
    if (tcp != null) {
      tcp.close();
    }
    if (udp != null) {
      udp.close();
    }
  }
}
