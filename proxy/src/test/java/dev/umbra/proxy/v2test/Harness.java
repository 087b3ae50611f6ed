package dev.umbra.proxy.v2test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;

/** Shared pieces of the VMess, VLESS and Trojan tests: Umbra in-process, peers, checks. */
public final class Harness {
  public static final int BIG = 10 * 1024 * 1024;
  public static final String UUID = "b831381d-6324-4d53-ad4f-8cda48b30811";
  public static final String PASSWORD = "peer-test-password";

  private Harness() {}

  /** Umbra started from a JSON config; closing shuts it down. */
  public static final class Running implements AutoCloseable {
    private final Umbra umbra;

    private Running(Umbra umbra) {
      this.umbra = umbra;
    }

    @Override
    public void close() {
      umbra.shutdown(Duration.ofSeconds(1));
    }
  }

  public static Running umbra(String json) throws IOException {
    Registry r = Registry.loadAll();
    return new Running(Umbra.start(ConfigLoader.load(Jsonc.parse(json, "test"), r), r));
  }

  /** v2ray 4.34 with {@code json}, waiting for a TCP listener on {@code port}. */
  public static PeerProcess v2ray(Path dir, String name, String json, int port) throws IOException {
    Path f = dir.resolve("v2ray-" + name + ".json");
    Files.writeString(f, json);
    return PeerProcess.start(
        "v2ray-" + name, port, Duration.ofSeconds(15), "v2ray", "-config", f.toString());
  }

  /** trojan-gfw with {@code json}, waiting for a TCP listener on {@code port}. */
  public static PeerProcess trojan(Path dir, String name, String json, int port)
      throws IOException {
    Path f = dir.resolve("trojan-" + name + ".json");
    Files.writeString(f, json);
    return PeerProcess.start(
        "trojan-" + name, port, Duration.ofSeconds(15), "trojan", "-c", f.toString());
  }

  /** 10 MiB down and 1 MiB up through a SOCKS5 proxy, both checked by SHA-256. */
  public static void assertTcpThroughSocks(int socksPort, HttpOrigin origin, Path dir, int size)
      throws Exception {
    Curl.Result r =
        Curl.run(
            "--socks5-hostname",
            "127.0.0.1:" + socksPort,
            "http://localhost:" + origin.port() + "/bytes/" + size);
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertThat(sha.digest(r.body())).isEqualTo(sha.digest(HttpOrigin.bytes(size)));

    byte[] up = HttpOrigin.bytes(1024 * 1024 + 7);
    Path file = Files.write(dir.resolve("up-" + socksPort), up);
    Curl.Result e =
        Curl.run(
            "--socks5", "127.0.0.1:" + socksPort, "--data-binary", "@" + file, origin.url("/echo"));
    assertThat(e.exitCode()).as(e.stderr()).isZero();
    assertThat(sha.digest(e.body())).isEqualTo(sha.digest(up));
  }

  /** Sends datagrams to 127.0.0.1:port until each is echoed back (UDP may drop), bounded. */
  public static void assertUdpEcho(int port) throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(1000);
      for (int i = 0; i < 3; i++) {
        byte[] msg = ("ping-" + i + "-" + "x".repeat(1000)).getBytes(StandardCharsets.US_ASCII);
        for (int attempt = 0; ; attempt++) {
          s.send(new DatagramPacket(msg, msg.length, InetAddress.getLoopbackAddress(), port));
          byte[] buf = new byte[4096];
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          try {
            s.receive(p);
            assertThat(new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII))
                .isEqualTo(new String(msg, StandardCharsets.US_ASCII));
            break;
          } catch (SocketTimeoutException e) {
            assertThat(attempt).as("no echo through the relay after 5 tries").isLessThan(4);
          }
        }
      }
    }
  }
}
