package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.registry.Registry;
import org.junit.jupiter.api.Test;

/** What the shadowsocks options reject at load, naming the JSON path. */
class ShadowsocksOptionsTest {
  private static void load(String json) {
    Registry r = Registry.loadAll();
    ConfigLoader.load(Jsonc.parse(json, "test"), r);
  }

  private static String outbound(String fields) {
    return """
    {"outbounds": [{"type": "shadowsocks", "tag": "ss", "server": "127.0.0.1",
      "server_port": 8388, %s}]}
    """
        .formatted(fields);
  }

  private static String inbound(String fields) {
    return """
    {"inbounds": [{"type": "shadowsocks", "tag": "in", "listen": "127.0.0.1",
      "listen_port": 8388, %s}], "outbounds": [{"type": "direct", "tag": "d"}]}
    """
        .formatted(fields);
  }

  @Test
  void unknownMethod() {
    assertThatThrownBy(() -> load(outbound("\"method\": \"rc4-md5\", \"password\": \"x\"")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].method")
        .hasMessageContaining("unknown method");
  }

  @Test
  void missingPassword() {
    assertThatThrownBy(() -> load(outbound("\"method\": \"aes-128-gcm\"")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].password");
  }

  @Test
  void unimplementedFieldsAreRejectedByName() {
    assertThatThrownBy(() ->
            load(
                outbound(
                    "\"method\": \"aes-128-gcm\", \"password\": \"x\", \"multiplex\":"
                        + " {\"enabled\": true, \"brutal\": {\"enabled\": true}}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].multiplex.brutal");
  }

  @Test
  void badNetwork() {
    assertThatThrownBy(() ->
            load(
                inbound("\"method\": \"aes-128-gcm\", \"password\": \"x\", \"network\": \"sctp\"")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("inbounds[0].network");
  }

  @Test
  void usersNeedNamesAndPasswords() {
    assertThatThrownBy(
            () -> load(inbound("\"method\": \"aes-256-gcm\", \"users\": [{\"name\": \"a\"}]")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("inbounds[0].users[0].password");
  }
}
