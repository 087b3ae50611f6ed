package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI knows the {@code wireguard} endpoint: a sing-box config checks, bad fields name paths.
 */
class WireGuardEndpointCheckTest {
  @TempDir Path dir;

  private static String config(String extra) {
    // arbitrary 32-byte keys: check does not start the endpoint
    return """
    {"endpoints": [{"type": "wireguard", "tag": "wg-ep", "address": ["10.0.0.2/32"],
       "private_key": "YNXtAzepDqRv9H52osJVDQnznT5AL11eh5oqNhx9Ol0=", "mtu": 1408 %s,
       "peers": [{"address": "203.0.113.1", "port": 51820,
                  "public_key": "Z1XXLsKYkYxuiYjJIkRvtIKFepCYHTgON+GwPq7SOV4=",
                  "allowed_ips": ["0.0.0.0/0"], "reserved": [1, 2, 3]}]}],
     "route": {"rules": [{"ip_cidr": ["10.0.0.0/8"], "outbound": "wg-ep"}], "final": "wg-ep"}}
    """
        .formatted(extra);
  }

  @Test
  void aSingBoxWireGuardEndpointConfigPassesCheck() throws IOException {
    Path c = Files.writeString(dir.resolve("wg.json"), config(""));
    var r = CliRunner.run("check", "-c", c.toString());
    assertThat(r.code()).as(r.stderr()).isZero();
  }

  @Test
  void aSystemInterfaceIsRejectedWithItsPath() throws IOException {
    Path c = Files.writeString(dir.resolve("wg.json"), config(", \"system\": true"));
    var r = CliRunner.run("check", "-c", c.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.stderr()).contains("endpoints[0].system");
  }
}
