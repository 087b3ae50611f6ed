package dev.umbra.dns.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.Peers;
import dev.umbra.testkit.TestCerts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;

/**
 * DoH3 and DoQ end to end: kdig -> Umbra's direct inbound -> hijack-dns -> DNS rules -> an {@code
 * h3} or {@code quic} server (flupke's HTTP/3 server, kwik's QUIC server) named by a domain that a
 * {@code domain_resolver} resolves, with a TLS name other than the server; and the same servers
 * through a {@code detour}: a socks outbound whose UDP ASSOCIATE goes to dante, or to a dead proxy.
 */
@Tag("interop")
class QuicDnsInteropTest {
  @TempDir static Path dir;
  static TestCerts certs;
  static Doh3TestServer h3;
  static DoqTestServer doq;
  static Peers.Peer dante;
  static Umbra umbra;
  static int dnsPort;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.create(dir);
    h3 = new Doh3TestServer(certs);
    doq = new DoqTestServer(certs);
    dante = Peers.dante(dir);
    dnsPort = FreePort.tcp();
    String tls = "\"tls\":{\"certificate_path\":\"" + certs.certificate() + "\"}";
    String named =
        "\"tls\":{\"server_name\":\"localhost\",\"certificate_path\":\""
            + certs.certificate()
            + "\"}";
    String config =
        """
        {
          "log": {"level": "warn"},
          "dns": {
            "servers": [
              {"type": "hosts", "tag": "hosts",
               "predefined": {"doh3.server.test": ["127.0.0.1"], "doq.server.test": ["127.0.0.1"]}},
              {"type": "h3", "tag": "h3", "server": "doh3.server.test", "server_port": %1$d,
               "domain_resolver": "hosts", %3$s},
              {"type": "quic", "tag": "doq", "server": "doq.server.test", "server_port": %2$d,
               "domain_resolver": "hosts", %3$s},
              {"type": "h3", "tag": "h3-socks", "server": "127.0.0.1", "server_port": %1$d,
               "detour": "socks", %4$s},
              {"type": "quic", "tag": "doq-socks", "server": "127.0.0.1", "server_port": %2$d,
               "detour": "socks", %4$s},
              {"type": "h3", "tag": "h3-dead", "server": "127.0.0.1", "server_port": %1$d,
               "detour": "dead", %4$s},
              {"type": "quic", "tag": "doq-dead", "server": "127.0.0.1", "server_port": %2$d,
               "detour": "dead", %4$s}
            ],
            "rules": [
              {"domain_suffix": ["doq.route.test"], "server": "doq"},
              {"domain_suffix": ["h3.socks.test"], "server": "h3-socks"},
              {"domain_suffix": ["doq.socks.test"], "server": "doq-socks"},
              {"domain_suffix": ["h3.dead.test"], "server": "h3-dead"},
              {"domain_suffix": ["doq.dead.test"], "server": "doq-dead"}
            ],
            "final": "h3",
            "disable_cache": true
          },
          "inbounds": [
            {"type": "direct", "tag": "dns-in", "listen": "127.0.0.1", "listen_port": %5$d}
          ],
          "outbounds": [
            {"type": "direct", "tag": "direct"},
            {"type": "socks", "tag": "socks", "server": "127.0.0.1", "server_port": %6$d},
            {"type": "socks", "tag": "dead", "server": "127.0.0.1", "server_port": %7$d}
          ],
          "route": {
            "rules": [{"inbound": ["dns-in"], "action": "hijack-dns"}],
            "final": "direct"
          }
        }
        """
            .formatted(h3.port(), doq.port(), named, tls, dnsPort, dante.port(), FreePort.tcp());
    Registry r = Registry.loadAll();
    umbra = Umbra.start(ConfigLoader.load(Jsonc.parse(config, "test"), r), r);
  }

  @AfterAll
  static void stop() throws Exception {
    if (umbra != null) {
      umbra.shutdown(Duration.ofSeconds(1));
    }
    if (dante != null) {
      dante.close();
    }
    if (doq != null) {
      doq.close();
    }
    if (h3 != null) {
      h3.close();
    }
  }

  static String kdig(String... args) throws IOException, InterruptedException {
    PeerProcess.requireBinary("kdig");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "kdig", "+timeout=8", "+retry=0", "@127.0.0.1", "-p", Integer.toString(dnsPort)));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("kdig did not finish");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  @Test
  void kdigGetsItsAnswerFromTheDoh3Server() throws Exception {
    assertThat(kdig("+short", "www.h3.route.test", "A").trim()).isEqualTo("192.0.2.53");
    assertThat(kdig("+short", "+tcp", "tcp.h3.route.test", "A").trim()).isEqualTo("192.0.2.53");
    Doh3TestServer.Request got =
        h3.requests.stream()
            .filter(r -> new String(r.body(), StandardCharsets.ISO_8859_1).contains("www"))
            .findFirst()
            .orElseThrow();
    assertThat(got.method()).isEqualTo("POST");
    // the TLS name is the authority; the connection went to the address the hosts server gave
    assertThat(got.authority()).isEqualTo("localhost:" + h3.port());
    Message q = new Message(got.body());
    assertThat(q.getHeader().getID()).isZero();
    assertThat(q.getQuestion().getName().toString()).isEqualTo("www.h3.route.test.");
  }

  @Test
  void kdigGetsItsAnswerFromTheDoqServer() throws Exception {
    int before = doq.requests.size();
    assertThat(kdig("+short", "www.doq.route.test", "A").trim()).isEqualTo("192.0.2.53");
    assertThat(doq.requests.size()).isGreaterThan(before);
  }

  @Test
  void bothGoThroughASocksDetourWithUdpAssociate() throws Exception {
    assertThat(kdig("+short", "a.h3.socks.test", "A").trim()).isEqualTo("192.0.2.53");
    assertThat(kdig("+short", "a.doq.socks.test", "A").trim()).isEqualTo("192.0.2.53");
    // the same servers behind a dead proxy fail: the queries really take the detour
    assertThat(kdig("a.h3.dead.test", "A")).contains("status: SERVFAIL");
    assertThat(kdig("a.doq.dead.test", "A")).contains("status: SERVFAIL");
  }
}
