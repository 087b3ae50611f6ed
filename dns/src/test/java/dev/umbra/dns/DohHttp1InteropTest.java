package dev.umbra.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.adapter.DnsService;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.PeerProcess;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DoH client over HTTP/1.1 (ALPN limited to http/1.1, so h2 cannot be picked) against dnsdist's
 * DoH frontend (h2o, which serves HTTP/1.1), forwarding to dnsmasq. unbound's DoH is HTTP/2 only,
 * which is why DnsInteropTest covers h2 and this class HTTP/1.1.
 */
@Tag("interop")
class DohHttp1InteropTest {
  @TempDir static Path dir;
  static DnsPeers peers;
  static PeerProcess dnsdist;
  static DnsService dns;

  @BeforeAll
  static void start() throws Exception {
    peers = new DnsPeers(dir);
    int plain = FreePort.tcp();
    int doh = FreePort.tcp();
    Path conf = dir.resolve("dnsdist.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "setSecurityPollSuffix('')",
            "setLocal('127.0.0.1:" + plain + "')",
            "newServer({address='127.0.0.1:" + peers.dnsmasq + "'})",
            "addDOHLocal('127.0.0.1:"
                + doh
                + "', '"
                + peers.certs.certificate()
                + "', '"
                + peers.certs.key()
                + "', '/dns-query')",
            ""));
    dnsdist =
        PeerProcess.start(
            "dnsdist",
            doh,
            Duration.ofSeconds(20),
            "dnsdist",
            "--supervised",
            "--disable-syslog",
            "-C",
            conf.toString());
    String tls =
        "{\"enabled\":true,\"server_name\":\"localhost\",\"alpn\":[\"http/1.1\"],"
            + "\"certificate_path\":\""
            + peers.certs.certificate()
            + "\"}";
    dns =
        TestDns.build(
            """
            {"servers":[
              {"type":"https","tag":"post","server":"127.0.0.1","server_port":%d,"tls":%s},
              {"type":"https","tag":"get","server":"127.0.0.1","server_port":%d,
               "method":"GET","tls":%s}
            ],
            "disable_cache":true}
            """
                .formatted(doh, tls, doh, tls));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dns != null) {
      dns.close();
    }
    if (dnsdist != null) {
      dnsdist.close();
    }
    if (peers != null) {
      peers.close();
    }
  }

  @Test
  void postAndGetOverHttp11() throws Exception {
    for (String s : new String[] {"post", "get"}) {
      for (int i = 0; i < 3; i++) {
        assertThat(
                dns.resolver(new DnsQueryOptions(s, null, null, null, null)).resolve("peer.test"))
            .as(s)
            .extracting(InetAddress::getHostAddress)
            .contains("127.0.0.1");
      }
    }
  }
}
