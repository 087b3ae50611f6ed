package dev.umbra.transport;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.transport.quic.QuicServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Where an inbound with a V2Ray transport accepts its connections: a TCP listener, or for the
 * {@code quic} transport a QUIC listener on UDP whose streams go straight to the inbound.
 */
public sealed interface InboundListener extends Closeable {
  /** Serves one stream accepted by a non-TCP listener (TLS and transport already done). */
  @FunctionalInterface
  interface StreamHandler {
    void handle(Conn stream, InetSocketAddress source) throws IOException;
  }

  void start() throws IOException;

  InetSocketAddress localAddress();

  /**
   * The listener for {@code stack}: {@code tcp} gets accepted sockets, {@code streams} QUIC
   * streams.
   */
  static InboundListener of(
      String tag,
      ListenOptions listen,
      AdapterContext context,
      ServerStack stack,
      TcpListener.Handler tcp,
      StreamHandler streams) {
    QuicServer quic = stack.quic();
    if (quic == null) {
      return new Tcp(new TcpListener(tag, listen, TcpListener.withDetour(listen, context, tcp)));
    }
    if (listen.detour() != null) {
      throw new ConfigException("detour", "listen detour does not apply to the quic transport");
    }
    return new Quic(quic, listen, streams);
  }

  /** TCP accepting, as every inbound without the quic transport. */
  record Tcp(TcpListener listener) implements InboundListener {
    @Override
    public void start() throws IOException {
      listener.start();
    }

    @Override
    public InetSocketAddress localAddress() {
      return listener.localAddress();
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }

  /** QUIC on the listen address and port (UDP). */
  record Quic(QuicServer server, ListenOptions listen, StreamHandler streams)
      implements InboundListener {
    @Override
    public void start() throws IOException {
      int port = listen.listenPort() == null ? 0 : listen.listenPort();
      server.start(
          new InetSocketAddress(TcpListener.listenAddress(listen, ""), port), streams::handle);
    }

    @Override
    public InetSocketAddress localAddress() {
      return server.localAddress();
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
