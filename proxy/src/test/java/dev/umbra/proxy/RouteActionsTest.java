package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The route-options and resolve actions and a local source rule-set, with real curl. */
@Tag("interop")
class RouteActionsTest {
  private static HttpOrigin origin;

  @TempDir Path dir;

  @BeforeAll
  static void startOrigin() throws Exception {
    origin = new HttpOrigin();
  }

  @AfterAll
  static void stopOrigin() {
    origin.close();
  }

  private static String config(int port, String route) {
    return """
    {"log": {"level": "warn"},
     "inbounds": [{"type": "socks", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
     "outbounds": [{"type": "direct", "tag": "direct"}, {"type": "block", "tag": "block"}],
     "route": %s}
    """
        .formatted(port, route);
  }

  /** GET /small through the SOCKS5 inbound, the host name resolved by the proxy. */
  private static Curl.Result get(int socksPort, String hostAndPort) throws Exception {
    return Curl.run(
        "--max-time",
        "10",
        "--socks5-hostname",
        "127.0.0.1:" + socksPort,
        "http://" + hostAndPort + "/small");
  }

  @Test
  void routeOptionsOverrideTheDestinationOfTheFinalRoute() throws Exception {
    int port = FreePort.tcp();
    String route =
        """
        {"rules": [
           {"domain": "elsewhere.test", "action": "route-options",
            "override_address": "127.0.0.1", "override_port": %d}],
         "final": "direct"}
        """
            .formatted(origin.port());
    try (RunningUmbra u = RunningUmbra.start(config(port, route))) {
      // a name nobody resolves, on a port nothing listens on: only the override reaches the origin
      Curl.Result r = get(port, "elsewhere.test:1");
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.text()).isEqualTo("ok\n");
      // the route-options rule does not match this one, which fails to resolve
      assertThat(get(port, "unmatched.test:1").exitCode()).isNotZero();
    }
  }

  @Test
  void unsupportedRouteOptionsFieldIsRejectedByPath() {
    String route =
        """
        {"rules": [{"action": "route-options", "tls_fragment": true}], "final": "direct"}
        """;
    assertThatThrownBy(() -> RunningUmbra.start(config(FreePort.tcp(), route)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("route.rules[0].tls_fragment: ");
  }

  @Test
  void resolveLetsIpRulesMatchADomainDestination() throws Exception {
    String ipRule =
        """
        {"ip_cidr": ["127.0.0.0/8"], "outbound": "direct"}], "final": "block"}
        """;
    int port = FreePort.tcp();
    try (RunningUmbra u =
        RunningUmbra.start(config(port, "{\"rules\": [{\"action\": \"resolve\"}, " + ipRule))) {
      // "localhost" reaches the router as a domain; the system resolver gives 127.0.0.1
      Curl.Result r = get(port, "localhost:" + origin.port());
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.text()).isEqualTo("ok\n");
    }
    int port2 = FreePort.tcp();
    try (RunningUmbra u = RunningUmbra.start(config(port2, "{\"rules\": [" + ipRule))) {
      // without resolve the IP rule has no address to match: the final block applies
      assertThat(get(port2, "localhost:" + origin.port()).exitCode()).isNotZero();
    }
    int port3 = FreePort.tcp();
    try (RunningUmbra u =
        RunningUmbra.start(
            config(
                port3,
                "{\"rules\": [{\"action\": \"resolve\", \"strategy\": \"ipv6_only\"}, "
                    + ipRule))) {
      // ipv6_only keeps no IPv4 address, so 127.0.0.0/8 does not match
      assertThat(get(port3, "localhost:" + origin.port()).exitCode()).isNotZero();
    }
  }

  @Test
  void localSourceRuleSetFromAFile() throws Exception {
    Path file = dir.resolve("blocked.json");
    Files.writeString(
        file,
        """
        {"version": 3, "rules": [{"domain_suffix": ["blocked.test"]}]}
        """);
    int port = FreePort.tcp();
    String route =
        """
        {"rule_set": [{"type": "local", "tag": "blocked", "format": "source", "path": "%s"}],
         "rules": [
           {"rule_set": "blocked", "action": "reject"},
           {"action": "route-options", "override_address": "127.0.0.1"}],
         "final": "direct"}
        """
            .formatted(file.toString());
    try (RunningUmbra u = RunningUmbra.start(config(port, route))) {
      Curl.Result allowed = get(port, "allowed.test:" + origin.port());
      assertThat(allowed.exitCode()).as(allowed.stderr()).isZero();
      assertThat(allowed.text()).isEqualTo("ok\n");
      Curl.Result blocked = get(port, "www.blocked.test:" + origin.port());
      assertThat(blocked.exitCode()).isNotZero();
      assertThat(blocked.stderr()).contains("(2)"); // SOCKS5 reply 2: not allowed by ruleset
    }
  }
}
