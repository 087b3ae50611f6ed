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
import dev.umbra.testkit.Peers;
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

/**
 * Umbra as a DNS server: kdig -> direct inbound -> hijack-dns -> DNS rules -> unbound, over UDP and
 * TCP; and curl through the mixed inbound to a FakeIP address, routed by a domain rule.
 */
@Tag("interop")
class DnsServingInteropTest {
  @TempDir static Path dir;
  static DnsPeers peers;
  static HttpOrigin origin;
  static Umbra umbra;
  static int dnsPort;
  static int mixedPort;
  static Peers.Peer socks;

  @BeforeAll
  static void start() throws Exception {
    peers = new DnsPeers(dir);
    origin = new HttpOrigin();
    dnsPort = FreePort.tcp();
    mixedPort = FreePort.tcp();
    socks = Peers.microsocks(null, null);
    int deadPort = FreePort.tcp();
    String config =
        """
        {
          "log": {"level": "warn"},
          "dns": {
            "servers": [
              {"type": "udp", "tag": "unbound", "server": "127.0.0.1", "server_port": %d},
              {"type": "fakeip", "tag": "fake", "inet4_range": "198.18.0.0/15",
               "inet6_range": "fc00::/18"},
              {"type": "hosts", "tag": "hosts", "predefined": {"static.test": ["10.1.2.3"],
               "origin.test": ["127.0.0.1"]}},
              {"type": "tcp", "tag": "via-socks", "server": "127.0.0.1", "server_port": %d,
               "detour": "socks"},
              {"type": "tcp", "tag": "via-dead", "server": "127.0.0.1", "server_port": %d,
               "detour": "dead"}
            ],
            "rules": [
              {"domain_suffix": ["blocked.test"], "action": "predefined", "rcode": "NXDOMAIN"},
              {"domain": ["refused.test"], "action": "reject"},
              {"domain": ["static.test"], "server": "hosts"},
              {"domain_suffix": ["site.test"], "query_type": ["A", "AAAA"], "server": "fake"},
              {"domain": ["socks.peer.test"], "server": "via-socks"},
              {"domain": ["dead.peer.test"], "server": "via-dead"}
            ],
            "final": "unbound"
          },
          "inbounds": [
            {"type": "direct", "tag": "dns-in", "listen": "127.0.0.1", "listen_port": %d},
            {"type": "mixed", "tag": "mixed-in", "listen": "127.0.0.1", "listen_port": %d}
          ],
          "outbounds": [
            {"type": "block", "tag": "block"},
            {"type": "direct", "tag": "direct", "domain_resolver": "hosts"},
            {"type": "socks", "tag": "socks", "server": "127.0.0.1", "server_port": %d},
            {"type": "socks", "tag": "dead", "server": "127.0.0.1", "server_port": %d}
          ],
          "route": {
            "rules": [
              {"inbound": ["dns-in"], "action": "hijack-dns"},
              {"domain": ["site.test"], "action": "route", "outbound": "direct",
               "override_address": "127.0.0.1"},
              {"domain": ["origin.test"], "outbound": "direct"}
            ],
            "final": "block"
          }
        }
        """
            .formatted(
                peers.unbound,
                peers.dnsmasq,
                peers.dnsmasq,
                dnsPort,
                mixedPort,
                socks.port(),
                deadPort);
    Registry r = Registry.loadAll();
    umbra = Umbra.start(ConfigLoader.load(Jsonc.parse(config, "test"), r), r);
  }

  @AfterAll
  static void stop() throws Exception {
    if (umbra != null) {
      umbra.shutdown(Duration.ofSeconds(1));
    }
    if (socks != null) {
      socks.close();
    }
    if (origin != null) {
      origin.close();
    }
    if (peers != null) {
      peers.close();
    }
  }

  static String kdig(String... args) throws IOException, InterruptedException {
    PeerProcess.requireBinary("kdig");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "kdig", "+timeout=5", "+retry=1", "@127.0.0.1", "-p", Integer.toString(dnsPort)));
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
  void answersOverUdpAndTcpFromUpstream() throws Exception {
    assertThat(kdig("+short", "a.unbound.test", "A").trim()).isEqualTo("127.0.0.2");
    assertThat(kdig("+short", "+tcp", "a.unbound.test", "A").trim()).isEqualTo("127.0.0.2");
    // unbound forwards to dnsmasq
    assertThat(kdig("+short", "peer.test", "A").trim()).isEqualTo("127.0.0.1");
    assertThat(kdig("+short", "+tcp", "txt.peer.test", "TXT").trim())
        .isEqualTo("\"hello-from-dnsmasq\"");
  }

  @Test
  void rulesDecide() throws Exception {
    assertThat(kdig("blocked.test", "A")).contains("status: NXDOMAIN");
    assertThat(kdig("+tcp", "x.blocked.test", "A")).contains("status: NXDOMAIN");
    assertThat(kdig("refused.test", "A")).contains("status: REFUSED");
    assertThat(kdig("+short", "static.test", "A").trim()).isEqualTo("10.1.2.3");
    assertThat(kdig("+short", "site.test", "A").trim()).startsWith("198.1");
    assertThat(kdig("+short", "site.test", "AAAA").trim()).startsWith("fc00:");
    // query_type limits the fakeip rule: TXT goes to the final server (NXDOMAIN from dnsmasq)
    assertThat(kdig("site.test", "TXT")).doesNotContain("198.1");
  }

  @Test
  void fakeIpMapsBackToTheDomainBeforeRouting() throws Exception {
    String fake = kdig("+short", "site.test", "A").trim();
    assertThat(fake).startsWith("198.1");
    // the same domain keeps its address
    assertThat(kdig("+short", "site.test", "A").trim()).isEqualTo(fake);
    Curl.Result ok =
        Curl.run(
            "--socks5",
            "127.0.0.1:" + mixedPort,
            "http://" + fake + ":" + origin.port() + "/small");
    assertThat(ok.exitCode()).as(ok.stderr()).isZero();
    assertThat(ok.text()).isEqualTo("ok\n");
    // another name under site.test gets a fake address too, but no route rule matches it: block
    String other = kdig("+short", "other.site.test", "A").trim();
    assertThat(other).startsWith("198.1").isNotEqualTo(fake);
    Curl.Result blocked =
        Curl.run(
            "--socks5",
            "127.0.0.1:" + mixedPort,
            "http://" + other + ":" + origin.port() + "/small");
    assertThat(blocked.exitCode()).isNotZero();
    // an address of the range that was never handed out is refused, not dialed
    Curl.Result unknown =
        Curl.run(
            "--socks5",
            "127.0.0.1:" + mixedPort,
            "http://198.19.255.1:" + origin.port() + "/small");
    assertThat(unknown.exitCode()).isNotZero();
  }

  @Test
  void serversDialThroughTheirDetour() throws Exception {
    // dnsmasq over TCP through the socks outbound (microsocks)
    assertThat(kdig("+short", "socks.peer.test", "A").trim()).isEqualTo("127.0.0.1");
    // the same server behind a dead proxy fails: the query really takes the detour
    assertThat(kdig("dead.peer.test", "A")).contains("status: SERVFAIL");
  }

  @Test
  void domainResolverOnAnOutboundUsesTheNamedServer() throws Exception {
    // origin.test exists only in the hosts server that the direct outbound's domain_resolver names
    Curl.Result r =
        Curl.run(
            "--socks5-hostname",
            "127.0.0.1:" + mixedPort,
            "http://origin.test:" + origin.port() + "/small");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.text()).isEqualTo("ok\n");
  }

  @Test
  void hostileClientsOnlyLoseTheirOwnQueries() throws Exception {
    // garbage over TCP: a FORMERR for a readable header, then the stream goes on
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", dnsPort)) {
      s.setSoTimeout(5_000);
      byte[] junk = new byte[] {0, 14, 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12};
      s.getOutputStream().write(junk);
      s.getOutputStream().flush();
      java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
      int len = in.readUnsignedShort();
      byte[] answer = in.readNBytes(len);
      assertThat(answer[0]).isEqualTo((byte) 0x12);
      assertThat(answer[3] & 0x0f).isEqualTo(1); // FORMERR
    }
    // random datagrams over UDP: dropped or FORMERR, never a crash
    try (java.net.DatagramSocket d = new java.net.DatagramSocket()) {
      java.util.Random rnd = new java.util.Random(7);
      for (int i = 0; i < 200; i++) {
        byte[] b = new byte[rnd.nextInt(600)];
        rnd.nextBytes(b);
        d.send(
            new java.net.DatagramPacket(
                b, b.length, java.net.InetAddress.getLoopbackAddress(), dnsPort));
      }
    }
    assertThat(kdig("+short", "a.unbound.test", "A").trim()).isEqualTo("127.0.0.2");
    assertThat(kdig("+short", "+tcp", "a.unbound.test", "A").trim()).isEqualTo("127.0.0.2");
  }

  /**
   * One client socket asking again and again: after the first answer the inbound's receive loop
   * answers the cache hits itself (no hand-off to the flow's thread), each with the client's ID.
   */
  @Test
  void repeatedQueriesFromOneSocketAreAnsweredByTheReceiveLoop() throws Exception {
    try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
      s.setSoTimeout(5000);
      s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), dnsPort));
      for (int i = 0; i < 50; i++) {
        org.xbill.DNS.Message q =
            org.xbill.DNS.Message.newQuery(
                org.xbill.DNS.Record.newRecord(
                    org.xbill.DNS.Name.fromString("a.unbound.test."),
                    org.xbill.DNS.Type.A,
                    org.xbill.DNS.DClass.IN));
        q.getHeader().setID(1000 + i);
        byte[] w = q.toWire();
        s.send(new java.net.DatagramPacket(w, w.length));
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[1500], 1500);
        s.receive(p);
        org.xbill.DNS.Message a =
            new org.xbill.DNS.Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        assertThat(a.getHeader().getID()).isEqualTo(1000 + i);
        assertThat(a.getSection(org.xbill.DNS.Section.ANSWER))
            .extracting(r -> r.rdataToString())
            .containsExactly("127.0.0.2");
      }
    }
  }
}
