package dev.umbra.proxy.shadowsocks;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.PeerProcess;
import java.io.IOException;
import java.time.Duration;

/** shadowsocks-libev peers on 127.0.0.1 and free ports. */
final class Libev {
  static final String PASSWORD = "peer-test-password";

  private Libev() {}

  /** A started peer and the port it serves on. */
  record Peer(PeerProcess process, int port) implements AutoCloseable {
    @Override
    public void close() {
      process.close();
    }
  }

  /** ss-server with TCP and UDP relay. */
  static Peer server(String method) throws IOException {
    int port = FreePort.tcp();
    return new Peer(
        PeerProcess.start(
            "ss-server-" + method,
            port,
            Duration.ofSeconds(10),
            PeerProcess.which("ss-server"),
            "-s",
            "127.0.0.1",
            "-p",
            String.valueOf(port),
            "-k",
            PASSWORD,
            "-m",
            method,
            "-u",
            "--no-delay"),
        port);
  }

  /** ss-local: SOCKS5 on the returned port, to a server on {@code serverPort}. */
  static Peer local(String method, int serverPort) throws IOException {
    int port = FreePort.tcp();
    return new Peer(
        PeerProcess.start(
            "ss-local-" + method,
            port,
            Duration.ofSeconds(10),
            PeerProcess.which("ss-local"),
            "-s",
            "127.0.0.1",
            "-p",
            String.valueOf(serverPort),
            "-b",
            "127.0.0.1",
            "-l",
            String.valueOf(port),
            "-k",
            PASSWORD,
            "-m",
            method,
            "--no-delay"),
        port);
  }

  /**
   * ss-tunnel with TCP and UDP: the returned port forwards to {@code target} through the server.
   */
  static Peer tunnel(String method, int serverPort, int targetPort) throws IOException {
    int port = FreePort.tcp();
    return new Peer(
        PeerProcess.start(
            "ss-tunnel-" + method,
            port,
            Duration.ofSeconds(10),
            PeerProcess.which("ss-tunnel"),
            "-s",
            "127.0.0.1",
            "-p",
            String.valueOf(serverPort),
            "-b",
            "127.0.0.1",
            "-l",
            String.valueOf(port),
            "-k",
            PASSWORD,
            "-m",
            method,
            "-u",
            "-L",
            "127.0.0.1:" + targetPort),
        port);
  }
}
