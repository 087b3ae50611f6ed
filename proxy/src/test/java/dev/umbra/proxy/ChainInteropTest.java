package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.Peers;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Umbra's socks and http outbounds chained through real upstream proxies. */
@Tag("interop")
class ChainInteropTest {
  @TempDir Path dir;

  private static String config(int listen, String outbound) {
    return """
    {
      "log": {"level": "warn"},
      "inbounds": [{"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
      "outbounds": [%s]
    }
    """
        .formatted(listen, outbound);
  }

  private static void assertFetches(int port, HttpOrigin origin, boolean remoteDns)
      throws Exception {
    String url = remoteDns ? "http://localhost:" + origin.port() + "/small" : origin.url("/small");
    Curl.Result r =
        Curl.run(remoteDns ? "--socks5-hostname" : "--socks5", "127.0.0.1:" + port, url);
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.text()).isEqualTo("ok\n");
  }

  @Test
  void socksOutboundToMicrosocks() throws Exception {
    try (HttpOrigin origin = new HttpOrigin();
        Peers.Peer upstream = Peers.microsocks(null, null)) {
      int port = FreePort.tcp();
      try (RunningUmbra u =
          RunningUmbra.start(
              config(
                  port,
                  "{\"type\": \"socks\", \"tag\": \"up\", \"server\": \"127.0.0.1\", \"server_port\": "
                      + upstream.port()
                      + "}"))) {
        assertFetches(port, origin, false);
        assertFetches(port, origin, true);
      }
    }
  }

  @Test
  void socksOutboundWithPasswordToMicrosocks() throws Exception {
    try (HttpOrigin origin = new HttpOrigin();
        Peers.Peer upstream = Peers.microsocks("u1", "p1")) {
      int port = FreePort.tcp();
      try (RunningUmbra u =
          RunningUmbra.start(
              config(
                  port,
                  "{\"type\": \"socks\", \"tag\": \"up\", \"server\": \"127.0.0.1\", \"server_port\": "
                      + upstream.port()
                      + ", \"username\": \"u1\", \"password\": \"p1\"}"))) {
        assertFetches(port, origin, true);
      }
    }
  }

  @Test
  void socks5AndSocks4OutboundsToDante() throws Exception {
    try (HttpOrigin origin = new HttpOrigin();
        Peers.Peer upstream = Peers.dante(dir)) {
      for (String version : new String[] {"5", "4"}) {
        int port = FreePort.tcp();
        try (RunningUmbra u =
            RunningUmbra.start(
                config(
                    port,
                    "{\"type\": \"socks\", \"tag\": \"up\", \"version\": \""
                        + version
                        + "\", \"server\": \"127.0.0.1\", \"server_port\": "
                        + upstream.port()
                        + "}"))) {
          assertFetches(port, origin, false);
        }
      }
    }
  }

  @Test
  void httpOutboundToTinyproxy() throws Exception {
    try (HttpOrigin origin = new HttpOrigin();
        Peers.Peer upstream = Peers.tinyproxy(dir)) {
      int port = FreePort.tcp();
      try (RunningUmbra u =
          RunningUmbra.start(
              config(
                  port,
                  "{\"type\": \"http\", \"tag\": \"up\", \"server\": \"127.0.0.1\", \"server_port\": "
                      + upstream.port()
                      + "}"))) {
        assertFetches(port, origin, false);
        assertFetches(port, origin, true);
      }
    }
  }

  @Test
  void detourChainsOutbounds() throws Exception {
    try (HttpOrigin origin = new HttpOrigin();
        Peers.Peer first = Peers.microsocks(null, null);
        Peers.Peer second = Peers.tinyproxy(dir)) {
      int port = FreePort.tcp();
      // http outbound reached through the socks outbound: client -> umbra -> microsocks ->
      // tinyproxy
      String outbounds =
          "{\"type\": \"http\", \"tag\": \"up\", \"server\": \"127.0.0.1\", \"server_port\": "
              + second.port()
              + ", \"detour\": \"hop\"},"
              + "{\"type\": \"socks\", \"tag\": \"hop\", \"server\": \"127.0.0.1\", \"server_port\": "
              + first.port()
              + "}";
      try (RunningUmbra u = RunningUmbra.start(config(port, outbounds))) {
        assertFetches(port, origin, true);
      }
    }
  }
}
