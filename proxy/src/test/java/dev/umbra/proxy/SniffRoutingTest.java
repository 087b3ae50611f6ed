package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The sniff action feeds the sniffed protocol and domain to later rules. */
@Tag("interop")
class SniffRoutingTest {
  @Test
  void sniffedHttpHostSelectsTheRoute() throws Exception {
    try (HttpOrigin origin = new HttpOrigin()) {
      int port = FreePort.tcp();
      String config =
          """
          {"log": {"level": "warn"},
           "inbounds": [{"type": "socks", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
           "outbounds": [{"type": "block", "tag": "block"}, {"type": "direct", "tag": "direct"}],
           "route": {"rules": [
               {"action": "sniff", "sniffer": ["http", "tls"]},
               {"protocol": "http", "domain_suffix": "allowed.test", "outbound": "direct"}],
             "final": "block"}}
          """
              .formatted(port);
      try (RunningUmbra u = RunningUmbra.start(config)) {
        // the client connects by IP; only the sniffed Host header names the site
        Curl.Result allowed =
            Curl.run(
                "--socks5",
                "127.0.0.1:" + port,
                "-H",
                "Host: www.allowed.test",
                origin.url("/small"));
        assertThat(allowed.exitCode()).as(allowed.stderr()).isZero();
        assertThat(allowed.text()).isEqualTo("ok\n");
        Curl.Result blocked =
            Curl.run(
                "--socks5", "127.0.0.1:" + port, "-H", "Host: other.test", origin.url("/small"));
        assertThat(blocked.exitCode()).isNotZero();
      }
    }
  }

  @Test
  void rejectActionRefusesWithTheSocksReply() throws Exception {
    try (HttpOrigin origin = new HttpOrigin()) {
      int port = FreePort.tcp();
      String config =
          """
          {"log": {"level": "warn"},
           "inbounds": [{"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
           "outbounds": [{"type": "direct", "tag": "direct"}],
           "route": {"rules": [{"port": %d, "action": "reject"}]}}
          """
              .formatted(port, origin.port());
      try (RunningUmbra u = RunningUmbra.start(config)) {
        Curl.Result socks = Curl.run("--socks5", "127.0.0.1:" + port, origin.url("/small"));
        assertThat(socks.exitCode()).isNotZero();
        assertThat(socks.stderr()).contains("(2)"); // SOCKS5 reply 2: not allowed by ruleset
        Curl.Result http =
            Curl.run(
                "-o",
                "/dev/null",
                "-w",
                "%{http_connect}",
                "-p",
                "-x",
                "http://127.0.0.1:" + port,
                origin.url("/small"));
        assertThat(http.text()).isEqualTo("403");
      }
    }
  }
}
