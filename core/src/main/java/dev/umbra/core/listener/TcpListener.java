package dev.umbra.core.listener;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.dial.SocketOptions;
import dev.umbra.core.net.Destination;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts TCP connections on the configured address, one virtual thread per connection. Binds
 * exactly what the config says: a missing {@code listen} is a config error, not "all interfaces".
 */
public final class TcpListener implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

  /** Handles one accepted socket on its own virtual thread; must close it when done. */
  @FunctionalInterface
  public interface Handler {
    void handle(Socket socket) throws IOException;
  }

  private final String tag;
  private final ListenOptions options;
  private final Handler handler;
  private volatile ServerSocket server;
  private volatile Thread acceptThread;

  public TcpListener(String tag, ListenOptions options, Handler handler) {
    this.tag = tag;
    this.options = options;
    this.handler = handler;
  }

  /** Checks the listen fields at load time; {@code path} is the inbound's JSON path. */
  public static InetAddress listenAddress(ListenOptions options, String path) {
    if (options.listen() == null || options.listen().isEmpty()) {
      throw new ConfigException(
          JsonPaths.field(path, "listen"), "missing listen address (e.g. \"127.0.0.1\")");
    }
    String host = options.listen();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return Destination.IpLiterals.parse(host);
  }

  /**
   * The handler an inbound should use: its own, or, with listen {@code detour} set, one handing
   * each connection to that inbound.
   */
  public static Handler withDetour(
      ListenOptions options, dev.umbra.core.adapter.AdapterContext context, Handler own) {
    String detour = options.detour();
    if (detour == null) {
      return own;
    }
    return socket -> {
      var target =
          context
              .inbound(detour)
              .orElseThrow(() -> new IOException("inbound '" + detour + "' is gone"));
      ((dev.umbra.core.adapter.InjectableInbound) target)
          .inject(
              new dev.umbra.core.net.SocketConn(socket),
              (InetSocketAddress) socket.getRemoteSocketAddress());
    };
  }

  public void start() throws IOException {
    InetAddress address = listenAddress(options, "");
    int port = options.listenPort() == null ? 0 : options.listenPort();
    // Channel-backed, so accepted sockets have channels the relay can copy between directly.
    ServerSocket s = java.nio.channels.ServerSocketChannel.open().socket();
    // A reload rebinds the port while connections accepted on it are still open.
    s.setReuseAddress(true);
    try {
      s.bind(new InetSocketAddress(address, port), 1024);
    } catch (IOException e) {
      s.close();
      throw new IOException(
          "inbound '"
              + tag
              + "': cannot listen on "
              + address.getHostAddress()
              + ":"
              + port
              + ": "
              + e.getMessage(),
          e);
    }
    server = s;
    LOG.info("inbound/{}: listening on tcp {}", tag, s.getLocalSocketAddress());
    acceptThread = Thread.ofVirtual().name("accept-" + tag).start(this::acceptLoop);
  }

  private void acceptLoop() {
    ServerSocket s = server;
    while (!s.isClosed()) {
      Socket socket;
      try {
        socket = s.accept();
      } catch (SocketException | java.nio.channels.ClosedChannelException e) {
        return; // closed
      } catch (IOException e) {
        if (s.isClosed()) {
          return;
        }
        LOG.warn("inbound/{}: accept failed: {}", tag, e.toString());
        continue;
      }
      Thread.ofVirtual().name("conn-" + tag).start(() -> serve(socket));
    }
  }

  private void serve(Socket socket) {
    boolean failed = false;
    try {
      SocketOptions.keepAlive(
          socket, options.keepAliveEnabled(), options.keepAliveIdle(), options.keepAliveInterval());
      socket.setTcpNoDelay(true);
      handler.handle(socket);
    } catch (IOException | RuntimeException e) {
      failed = true;
      LOG.debug("inbound/{}: {}: {}", tag, socket.getRemoteSocketAddress(), e.toString());
    } finally {
      if (failed) {
        lingeringClose(socket);
      }
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing left to do with a failed socket
      }
    }
  }

  /**
   * After a protocol error the client may still be sending; closing with unread input would reset
   * the connection and destroy the error reply we wrote. Half-close, then discard its input for a
   * moment, bounded in bytes and time.
   */
  private static void lingeringClose(Socket socket) {
    try {
      if (socket.isClosed() || socket.isOutputShutdown()) {
        return;
      }
      socket.shutdownOutput();
      socket.setSoTimeout(500);
      byte[] sink = new byte[4096];
      long deadline = System.nanoTime() + 1_000_000_000L;
      int total = 0;
      int n;
      while (total < 256 * 1024
          && System.nanoTime() < deadline
          && (n = socket.getInputStream().read(sink)) >= 0) {
        total += n;
      }
    } catch (IOException ignored) {
      // the peer is gone or silent: close now
    }
  }

  /** The bound address (useful with listen_port 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Stops accepting; connections already accepted carry on. */
  @Override
  public void close() throws IOException {
    ServerSocket s = server;
    if (s != null) {
      s.close();
    }
    Thread t = acceptThread;
    if (t != null) {
      // The socket is released only once the accepting thread has left accept().
      try {
        t.join(java.time.Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
