package dev.umbra.transport;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.testkit.TestCerts;
import dev.umbra.tls.TlsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/** A transport server on a loopback port (each accepted socket served on a virtual thread). */
public final class Loopback implements AutoCloseable {
  private final ServerSocket server;
  public final AtomicInteger accepted = new AtomicInteger();

  public Loopback(ServerStack stack, StreamHandler handler) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(() -> {
          while (!server.isClosed()) {
            try {
              Socket s = server.accept();
              accepted.incrementAndGet();
              Thread.ofVirtual()
                  .start(() -> {
                    try (Conn c = new SocketConn(s)) {
                      stack.serve(c, handler);
                    } catch (IOException | RuntimeException e) {
                      // a refused client: the stack logged it
                    }
                  });
            } catch (IOException e) {
              return;
            }
          }
        });
  }

  public int port() {
    return server.getLocalPort();
  }

  public Dial dial() {
    return () -> new SocketConn(new Socket(InetAddress.getLoopbackAddress(), port()));
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  public static TransportOptions transport(String json) {
    return Binder.bind(Jsonc.parse(json, "test"), TransportOptions.class, "transport");
  }

  public static TlsOptions serverTls(TestCerts certs) {
    return Binder.bind(
        Jsonc.parse(
            """
            {"enabled": true, "certificate_path": "%s", "key_path": "%s"}\
            """
                .formatted(certs.certificate(), certs.key()),
            "test"),
        TlsOptions.class,
        "tls");
  }

  public static TlsOptions clientTls(TestCerts certs) {
    return Binder.bind(
        Jsonc.parse(
            """
            {"enabled": true, "server_name": "localhost", "certificate_path": "%s"}\
            """
                .formatted(certs.certificate()),
            "test"),
        TlsOptions.class,
        "tls");
  }

  /** A handler echoing every stream until its end, then half-closing. */
  public static StreamHandler echo() {
    return a -> {
      Conn c = a.conn();
      c.setReadTimeout(0);
      byte[] buf = new byte[16384];
      int n;
      while ((n = c.in().read(buf)) >= 0) {
        c.out().write(buf, 0, n);
        c.out().flush();
      }
      c.shutdownOutput();
      c.close();
    };
  }
}
