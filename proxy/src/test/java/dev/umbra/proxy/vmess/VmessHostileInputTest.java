package dev.umbra.proxy.vmess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.net.Destination;
import dev.umbra.proxy.v2test.Harness;
import dev.umbra.proxy.vless.Uuids;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replayed auth IDs, unknown users, stale timestamps and garbage at the vmess inbound get silence
 * (drained, as v2ray does), while a real client alongside keeps working.
 */
class VmessHostileInputTest {
  static final String UUID = Harness.UUID;
  @TempDir Path dir;

  static byte[] request(String uuid, long time, int port) {
    byte[] cmdKey = VmessHeader.cmdKey(Uuids.parse(uuid, "x"));
    byte[] header =
        VmessHeader.encode(
            new VmessHeader.Request(
                new byte[16],
                new byte[16],
                7,
                1 | 4,
                Security.AES_128_GCM,
                VmessHeader.TCP,
                Destination.of("127.0.0.1", port)),
            new byte[0]);
    return VmessHeader.seal(cmdKey, VmessHeader.authId(cmdKey, time, 42), new byte[8], header);
  }

  /** The server answers (its response header comes at once) or stays silent. */
  static boolean answers(int port, byte[] bytes) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(700);
      s.getOutputStream().write(bytes);
      InputStream in = s.getInputStream();
      try {
        return in.read() >= 0;
      } catch (SocketTimeoutException e) {
        return false;
      }
    }
  }

  @Test
  void replaysUnknownUsersAndStaleTimesGetSilence() throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    try (HttpOrigin origin = new HttpOrigin();
        Harness.Running server =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "vmess", "tag": "in", "listen": "127.0.0.1",
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
                 "outbounds": [{"type": "vmess", "tag": "vm", "server": "127.0.0.1",
                   "server_port": %d, "uuid": "%s", "security": "chacha20-poly1305",
                   "global_padding": true, "authenticated_length": true}]}
                """
                    .formatted(socks, port, UUID))) {
      long now = System.currentTimeMillis() / 1000;
      byte[] good = request(UUID, now, origin.port());
      assertThat(answers(port, good)).isTrue();
      assertThat(answers(port, good)).as("the same auth ID again").isFalse();
      assertThat(answers(port, request("00000000-0000-0000-0000-000000000009", now, 1)))
          .as("unknown user")
          .isFalse();
      assertThat(answers(port, request(UUID, now - 600, origin.port())))
          .as("timestamp 10 minutes old")
          .isFalse();
      byte[] junk = new byte[300];
      new Random(3).nextBytes(junk);
      assertThat(answers(port, junk)).as("random bytes").isFalse();
      Harness.assertTcpThroughSocks(socks, origin, dir, 256 * 1024);
    }
  }

  @Test
  void unsupportedFieldsAreRejectedAtLoad() {
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"outbounds": [{"type": "vmess", "tag": "v", "server": "127.0.0.1",
                  "server_port": 1, "uuid": "%s", "alter_id": 64}]}
                """
                    .formatted(UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].alter_id");
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"outbounds": [{"type": "vmess", "tag": "v", "server": "127.0.0.1",
                  "server_port": 1, "uuid": "%s", "tls": {"enabled": true,
                  "utls": {"enabled": true, "fingerprint": "chrome"}}}]}
                """
                    .formatted(UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].tls.utls")
        .hasMessageContaining("not supported yet");
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"inbounds": [{"type": "vmess", "tag": "v", "listen": "127.0.0.1",
                  "users": [{"uuid": "%s"}], "tls": {"enabled": true,
                  "ech": {"enabled": true}}}]}
                """
                    .formatted(UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("inbounds[0].tls.ech")
        .hasMessageContaining("not supported yet");
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"inbounds": [{"type": "vmess", "tag": "v", "listen": "127.0.0.1",
                  "users": [{"uuid": "%s"}],
                  "multiplex": {"enabled": true, "brutal": {"enabled": true}}}]}
                """
                    .formatted(UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("inbounds[0].multiplex.brutal")
        .hasMessageContaining("not supported yet");
  }
}
