package dev.umbra.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.Messages;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Type;

/**
 * The router's {@code resolve} action with DNS-module options, and {@code domain_resolver} on a DNS
 * server, through the CLI config path: curl -> mixed inbound -> resolve -> ip_cidr rule -> direct.
 * A recording upstream shows what was asked (name, type, EDNS0 client subnet) and how often.
 */
@Tag("interop")
class ResolveActionInteropTest {
  static final Queue<Message> asked = new ConcurrentLinkedQueue<>();
  static TestUpstream upstream;
  static HttpOrigin origin;
  static Umbra umbra;
  static int mixedPort;

  @BeforeAll
  static void start() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    upstream =
        new TestUpstream((q, raw) -> {
          asked.add(q);
          return List.of(DnsCodec.encode(Messages.addresses(q, List.of(loopback), 300)));
        });
    origin = new HttpOrigin();
    mixedPort = FreePort.tcp();
    String config =
        """
        {
          "log": {"level": "warn"},
          "dns": {
            "servers": [
              {"type": "udp", "tag": "recording", "server": "127.0.0.1", "server_port": %1$d},
              {"type": "hosts", "tag": "hosts", "predefined": {"upstream.test": ["127.0.0.1"]}},
              {"type": "udp", "tag": "by-name", "server": "upstream.test", "server_port": %1$d,
               "domain_resolver": "hosts"},
              {"type": "udp", "tag": "unresolvable", "server": "missing.test",
               "server_port": %1$d, "domain_resolver": "hosts"},
              {"type": "hosts", "tag": "empty", "predefined": {}}
            ],
            "final": "empty"
          },
          "inbounds": [
            {"type": "mixed", "tag": "mixed-in", "listen": "127.0.0.1", "listen_port": %2$d}
          ],
          "outbounds": [
            {"type": "block", "tag": "block"},
            {"type": "direct", "tag": "direct"}
          ],
          "route": {
            "rules": [
              {"domain": ["ecs.test"], "action": "resolve", "server": "recording",
               "client_subnet": "192.0.2.0/24", "disable_cache": true},
              {"domain": ["cached.test"], "action": "resolve", "server": "recording"},
              {"domain": ["v6only.test"], "action": "resolve", "server": "recording",
               "strategy": "ipv6_only"},
              {"domain": ["via-name.test"], "action": "resolve", "server": "by-name"},
              {"domain": ["bad-name.test"], "action": "resolve", "server": "unresolvable"},
              {"domain": ["default.test"], "action": "resolve"},
              {"ip_cidr": ["127.0.0.1/32"], "outbound": "direct"}
            ],
            "final": "block"
          }
        }
        """
            .formatted(upstream.port(), mixedPort);
    Registry r = Registry.loadAll();
    umbra = Umbra.start(ConfigLoader.load(Jsonc.parse(config, "test"), r), r);
  }

  @AfterAll
  static void stop() throws Exception {
    if (umbra != null) {
      umbra.shutdown(Duration.ofSeconds(1));
    }
    if (origin != null) {
      origin.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  static Curl.Result fetch(String host) throws Exception {
    return Curl.run(
        "--max-time",
        "10",
        "--socks5-hostname",
        "127.0.0.1:" + mixedPort,
        "http://" + host + ":" + origin.port() + "/small");
  }

  static List<Message> askedFor(String name, int type) {
    return asked.stream()
        .filter(m -> m.getQuestion().getName().toString().equals(name + "."))
        .filter(m -> m.getQuestion().getType() == type)
        .toList();
  }

  @Test
  void serverClientSubnetAndDisableCacheReachTheUpstream() throws Exception {
    for (int i = 0; i < 2; i++) {
      Curl.Result r = fetch("ecs.test");
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.text()).isEqualTo("ok\n");
    }
    List<Message> a = askedFor("ecs.test", Type.A);
    // disable_cache: each connection asks again
    assertThat(a).hasSize(2);
    for (Message m : a) {
      OPTRecord opt = m.getOPT();
      assertThat(opt).isNotNull();
      List<EDNSOption> ecs = opt.getOptions(EDNSOption.Code.CLIENT_SUBNET);
      assertThat(ecs).hasSize(1);
      ClientSubnetOption subnet = (ClientSubnetOption) ecs.getFirst();
      assertThat(subnet.getAddress().getHostAddress()).isEqualTo("192.0.2.0");
      assertThat(subnet.getSourcePrefixLength()).isEqualTo(24);
    }
  }

  @Test
  void answersAreCachedUnlessDisabled() throws Exception {
    for (int i = 0; i < 3; i++) {
      Curl.Result r = fetch("cached.test");
      assertThat(r.exitCode()).as(r.stderr()).isZero();
    }
    assertThat(askedFor("cached.test", Type.A)).hasSize(1);
    assertThat(askedFor("cached.test", Type.A).getFirst().getOPT()).isNull();
  }

  @Test
  void strategyLimitsTheFamiliesAsked() throws Exception {
    // only AAAA is asked and the upstream has none: no address, so the ip_cidr rule cannot match
    Curl.Result r = fetch("v6only.test");
    assertThat(r.exitCode()).isNotZero();
    assertThat(askedFor("v6only.test", Type.A)).isEmpty();
    assertThat(askedFor("v6only.test", Type.AAAA)).hasSize(1);
  }

  @Test
  void aServerNamedByDomainIsFoundThroughItsDomainResolver() throws Exception {
    Curl.Result r = fetch("via-name.test");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(askedFor("via-name.test", Type.A)).hasSize(1);
    // the domain_resolver does not know missing.test: the query never leaves, the rule misses
    assertThat(fetch("bad-name.test").exitCode()).isNotZero();
    assertThat(askedFor("bad-name.test", Type.A)).isEmpty();
  }

  @Test
  void withoutAServerTheDnsRulesAndFinalDecide() throws Exception {
    // dns.final is an empty hosts server: nothing resolves, nothing reaches the recording upstream
    assertThat(fetch("default.test").exitCode()).isNotZero();
    assertThat(askedFor("default.test", Type.A)).isEmpty();
  }
}
