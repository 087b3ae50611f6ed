package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.testkit.FreePort;
import org.junit.jupiter.api.Test;

/** TLS option errors of the http and mixed inbounds and the http outbound name the full path. */
class TlsOptionsPathTest {
  private static String config(String inboundType, String inboundTls, String outboundTls) {
    return """
    {"log": {"disabled": true},
     "inbounds": [
       {"type": "socks", "tag": "s", "listen": "127.0.0.1", "listen_port": %d},
       {"type": "%s", "tag": "h", "listen": "127.0.0.1", "listen_port": %d, "tls": %s}],
     "outbounds": [
       {"type": "direct", "tag": "direct"},
       {"type": "http", "tag": "up", "server": "127.0.0.1", "server_port": 1, "tls": %s}]}
    """
        .formatted(FreePort.tcp(), inboundType, FreePort.tcp(), inboundTls, outboundTls);
  }

  @Test
  void httpInboundWithoutCertificate() {
    assertThatThrownBy(() -> RunningUmbra.start(config("http", "{\"enabled\": true}", "{}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("inbounds[1].tls.certificate: a TLS server needs a certificate");
  }

  @Test
  void mixedInboundWithAMissingCertificateFile() {
    assertThatThrownBy(() ->
            RunningUmbra.start(
                config(
                    "mixed",
                    "{\"enabled\": true, \"certificate_path\": \"/nonexistent/c.pem\","
                        + " \"key_path\": \"/nonexistent/k.pem\"}",
                    "{}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("inbounds[1].tls.certificate_path: ");
  }

  @Test
  void httpOutboundWithABadVersion() {
    assertThatThrownBy(() ->
            RunningUmbra.start(
                config("http", "{}", "{\"enabled\": true, \"min_version\": \"9.9\"}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("outbounds[1].tls.min_version: expected 1.0, 1.1, 1.2 or 1.3");
  }
}
