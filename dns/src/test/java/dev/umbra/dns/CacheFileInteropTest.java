package dev.umbra.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * experimental.cache_file end to end: kdig gets a FakeIP address from Umbra, Umbra restarts, and
 * curl to that address (with no new DNS query) is still routed by the domain rule to the origin.
 */
@Tag("interop")
class CacheFileInteropTest {
  @TempDir Path dir;

  static String config(int dnsPort, int mixedPort, Path cache) {
    return """
    {
      "log": {"level": "warn"},
      "dns": {
        "servers": [
          {"type": "fakeip", "tag": "fake", "inet4_range": "198.18.0.0/15"},
          {"type": "hosts", "tag": "hosts", "predefined": {"origin.test": ["127.0.0.1"]}}
        ],
        "rules": [{"domain_suffix": ["site.test"], "server": "fake"}],
        "final": "hosts"
      },
      "inbounds": [
        {"type": "direct", "tag": "dns-in", "listen": "127.0.0.1", "listen_port": %d},
        {"type": "mixed", "tag": "mixed-in", "listen": "127.0.0.1", "listen_port": %d}
      ],
      "outbounds": [
        {"type": "block", "tag": "block"},
        {"type": "direct", "tag": "direct"}
      ],
      "route": {
        "rules": [
          {"inbound": ["dns-in"], "action": "hijack-dns"},
          {"domain": ["site.test"], "outbound": "direct", "override_address": "127.0.0.1"}
        ],
        "final": "block"
      },
      "experimental": {
        "cache_file": {"enabled": true, "path": "%s", "store_fakeip": true}
      }
    }
    """
        .formatted(dnsPort, mixedPort, cache);
  }

  static Umbra start(String config) throws IOException {
    Registry r = Registry.loadAll();
    return Umbra.start(ConfigLoader.load(Jsonc.parse(config, "test"), r), r);
  }

  static String kdig(int port, String name) throws IOException, InterruptedException {
    PeerProcess.requireBinary("kdig");
    Process p =
        new ProcessBuilder(
                "kdig",
                "+timeout=5",
                "+retry=1",
                "@127.0.0.1",
                "-p",
                Integer.toString(port),
                "+short",
                name,
                "A")
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("kdig did not finish");
    }
    return new String(out, StandardCharsets.UTF_8).trim();
  }

  @Test
  void fakeIpAddressesStillRouteAfterARestart() throws Exception {
    int dnsPort = FreePort.tcp();
    int mixedPort = FreePort.tcp();
    Path cache = dir.resolve("cache.db");
    String config = config(dnsPort, mixedPort, cache);
    try (HttpOrigin origin = new HttpOrigin()) {
      String fake;
      String other;
      Umbra first = start(config);
      try {
        fake = kdig(dnsPort, "site.test");
        other = kdig(dnsPort, "other.site.test");
        assertThat(fake).startsWith("198.1");
        assertThat(other).startsWith("198.1").isNotEqualTo(fake);
      } finally {
        first.shutdown(Duration.ofSeconds(1));
      }
      assertThat(Files.size(cache)).isPositive();
      Umbra second = start(config);
      try {
        // no DNS query this time: the address alone must map back to site.test
        Curl.Result ok =
            Curl.run(
                "--socks5",
                "127.0.0.1:" + mixedPort,
                "http://" + fake + ":" + origin.port() + "/small");
        assertThat(ok.exitCode()).as(ok.stderr()).isZero();
        assertThat(ok.text()).isEqualTo("ok\n");
        // other.site.test maps back too, but no route rule names it: blocked
        Curl.Result blocked =
            Curl.run(
                "--socks5",
                "127.0.0.1:" + mixedPort,
                "http://" + other + ":" + origin.port() + "/small");
        assertThat(blocked.exitCode()).isNotZero();
        assertThat(kdig(dnsPort, "site.test")).isEqualTo(fake);
        assertThat(kdig(dnsPort, "new.site.test")).isNotIn(fake, other);
      } finally {
        second.shutdown(Duration.ofSeconds(1));
      }
    }
  }
}
