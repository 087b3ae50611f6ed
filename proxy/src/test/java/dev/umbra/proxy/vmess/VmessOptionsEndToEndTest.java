package dev.umbra.proxy.vmess;

import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.UdpEcho;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Umbra to Umbra for what v2ray 4.34 cannot check: global_padding and authenticated_length (with
 * each AEAD security), and zero; TCP by hash and UDP.
 */
class VmessOptionsEndToEndTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "aes-128-gcm, true, false",
    "aes-128-gcm, false, true",
    "aes-128-gcm, true, true",
    "chacha20-poly1305, true, true",
    "zero, false, false",
    "none, false, false"
  })
  void optionsRoundTrip(String security, boolean padding, boolean authLength) throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    try (HttpOrigin origin = new HttpOrigin();
        UdpEcho echo = new UdpEcho();
        Harness.Running server =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "vmess", "tag": "in", "listen": "127.0.0.1",
                   "listen_port": %d, "users": [{"name": "u", "uuid": "%s"}]}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(port, Harness.UUID));
        Harness.Running client =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [
                   {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
                   {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
                    "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
                 "outbounds": [{"type": "vmess", "tag": "vm", "server": "127.0.0.1",
                   "server_port": %d, "uuid": "%s", "security": "%s",
                   "global_padding": %s, "authenticated_length": %s}]}
                """
                    .formatted(
                        socks,
                        udp,
                        echo.port(),
                        port,
                        Harness.UUID,
                        security,
                        padding,
                        authLength))) {
      Harness.assertTcpThroughSocks(socks, origin, dir, 2 * 1024 * 1024);
      Harness.assertUdpEcho(udp);
    }
  }
}
