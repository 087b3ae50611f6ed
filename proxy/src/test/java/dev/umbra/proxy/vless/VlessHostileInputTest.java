package dev.umbra.proxy.vless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.net.Destination;
import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unknown users, garbage and malformed headers at the vless inbound: silence for unknown users, a
 * close for a known user's malformed request, and a real client alongside keeps working.
 */
class VlessHostileInputTest {
  static final String UUID = Harness.UUID;
  @TempDir Path dir;

  @Test
  void unknownUsersAndGarbageNeverDisturbARealClient() throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    try (HttpOrigin origin = new HttpOrigin();
        Harness.Running server =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "vless", "tag": "in", "listen": "127.0.0.1",
                   "listen_port": %d, "users": [{"name": "u", "uuid": "%s"}]}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(port, UUID));
        Harness.Running client =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "mixed", "tag": "in", "listen": "127.0.0.1",
                   "listen_port": %d}],
                 "outbounds": [{"type": "vless", "tag": "vl", "server": "127.0.0.1",
                   "server_port": %d, "uuid": "%s"}]}
                """
                    .formatted(socks, port, UUID))) {
      // unknown user: nothing comes back, the connection stays open until the client leaves
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(500);
        byte[] other = Uuids.parse("00000000-0000-0000-0000-000000000001", "x");
        s.getOutputStream()
            .write(Vless.request(other, Vless.TCP, Destination.of("127.0.0.1", origin.port())));
        assertThatThrownBy(() -> s.getInputStream().read())
            .isInstanceOf(SocketTimeoutException.class);
      }
      // random bytes of many lengths
      Random random = new Random(5);
      for (int len : new int[] {1, 17, 18, 100, 4096}) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
          byte[] junk = new byte[len];
          random.nextBytes(junk);
          s.getOutputStream().write(junk);
          s.shutdownOutput();
          s.setSoTimeout(5000);
          assertEndsWithoutAnswer(s);
        }
      }
      // a known user with a bad command: closed without an answer
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(5000);
        byte[] req = Vless.request(Uuids.parse(UUID, "x"), 9, Destination.of("127.0.0.1", 1));
        s.getOutputStream().write(req);
        assertEndsWithoutAnswer(s);
      }
      // the real client still works, and a good request gets the response header
      Harness.assertTcpThroughSocks(socks, origin, dir, 64 * 1024);
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(5000);
        s.getOutputStream()
            .write(
                Vless.request(
                    Uuids.parse(UUID, "x"), Vless.TCP, Destination.of("127.0.0.1", origin.port())));
        s.getOutputStream()
            .write("GET /small HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        DataInputStream in = new DataInputStream(s.getInputStream());
        assertThat(in.readUnsignedByte()).isZero();
        assertThat(in.readUnsignedByte()).isZero();
        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).endsWith("ok\n");
      }
    }
  }

  /** The server closes (FIN, or RST when our bytes were left unread) and sends nothing. */
  static void assertEndsWithoutAnswer(Socket s) {
    try {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    } catch (java.io.IOException e) {
      assertThat(e).isNotInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void unsupportedFieldsAreRejectedAtLoad() throws Exception {
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"outbounds": [{"type": "vless", "tag": "v", "server": "127.0.0.1",
                  "server_port": 1, "uuid": "%s", "flow": "xtls-rprx-vision2"}]}
                """
                    .formatted(UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].flow")
        .hasMessageContaining("unknown flow");
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"outbounds": [{"type": "vless", "tag": "v", "server": "127.0.0.1",
                  "server_port": 1, "uuid": "%s", "packet_encoding": "xudp2"}]}
                """
                    .formatted(UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].packet_encoding");
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"outbounds": [{"type": "vless", "tag": "v", "server": "127.0.0.1",
                  "server_port": 1, "uuid": "%s",
                  "tls": {"enabled": true, "reality": {"enabled": true}}}]}
                """
                    .formatted(UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].tls.reality")
        .hasMessageContaining("not supported yet");
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"outbounds": [{"type": "vless", "tag": "v", "server": "127.0.0.1",
                  "server_port": 1, "uuid": "%s", "transport": {"type": "quic"}}]}
                """
                    .formatted(UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].tls")
        .hasMessageContaining("the quic transport requires tls");
    // the quic transport's UDP goes through the dialer, so a detour loads
    // (QuicDialFieldsInteropTest)
    Harness.umbra(
            """
            {"outbounds": [{"type": "vless", "tag": "v", "server": "127.0.0.1",
              "server_port": 1, "uuid": "%s", "detour": "d",
              "tls": {"enabled": true, "insecure": true}, "transport": {"type": "quic"}},
              {"type": "direct", "tag": "d"}]}
            """
                .formatted(UUID))
        .close();
  }
}
