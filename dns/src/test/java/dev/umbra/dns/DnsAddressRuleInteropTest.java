package dev.umbra.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.adapter.DnsService;
import dev.umbra.dns.router.DnsRouter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Response-address DNS rules (ip_cidr, ip_is_private + invert, ip_accept_any) against real
 * upstreams: dnsmasq answers split.test with 10.7.7.7, unbound with 198.51.100.7. Each rule marks
 * its answers with its own rewrite_ttl, so the TTL tells which rule's server answered.
 */
@Tag("interop")
class DnsAddressRuleInteropTest {
  @TempDir static Path dir;
  static DnsPeers peers;
  static DnsService dns;

  @BeforeAll
  static void start() throws Exception {
    peers = new DnsPeers(dir);
    dns =
        TestDns.build(
            """
            {"servers":[
              {"type":"udp","tag":"masq","server":"127.0.0.1","server_port":%d},
              {"type":"tcp","tag":"masq-tcp","server":"127.0.0.1","server_port":%d},
              {"type":"udp","tag":"unbound","server":"127.0.0.1","server_port":%d},
              {"type":"hosts","tag":"fallback","predefined":{"nx.test":["192.0.2.99"]}}
            ],
            "rules":[
              {"ip_cidr":["10.9.0.0/16"],"server":"masq","rewrite_ttl":55},
              {"ip_cidr":["10.7.0.0/16"],"query_type":"AAAA","server":"masq","rewrite_ttl":56},
              {"ip_is_private":true,"invert":true,"server":"unbound","rewrite_ttl":66},
              {"ip_accept_any":true,"server":"masq-tcp","rewrite_ttl":77},
              {"query_type":"TXT","server":"masq-tcp","rewrite_ttl":88}
            ],
            "final":"fallback",
            "disable_cache":true}
            """
                .formatted(peers.dnsmasq, peers.dnsmasq, peers.unbound));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dns != null) {
      dns.close();
    }
    if (peers != null) {
      peers.close();
    }
  }

  static Message ask(String name, int type) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN));
    return ((DnsRouter) dns).exchange(q, null, DnsQueryOptions.DEFAULT);
  }

  static String a(Message m) {
    return ((ARecord) m.getSection(Section.ANSWER).getFirst()).getAddress().getHostAddress();
  }

  static long ttl(Message m) {
    return m.getSection(Section.ANSWER).getFirst().getTTL();
  }

  @Test
  void rejectedAnswerFallsThroughToTheNextRule() throws Exception {
    // rule 0: dnsmasq's 10.7.7.7 is outside 10.9/16 -> rejected; rule 1 is AAAA only; rule 2:
    // unbound's 198.51.100.7 is public, so the inverted ip_is_private accepts it
    Message m = ask("split.test", Type.A);
    assertThat(a(m)).isEqualTo("198.51.100.7");
    assertThat(ttl(m)).isEqualTo(66);
  }

  @Test
  void privateAnswersReachTheAcceptAnyRule() throws Exception {
    // 127.0.0.1 fails rule 0 and (being private) the inverted rule 2; rule 3 takes any address
    Message m = ask("peer.test", Type.A);
    assertThat(a(m)).isEqualTo("127.0.0.1");
    assertThat(ttl(m)).isEqualTo(77);
  }

  @Test
  void anEmptyOrFailedAnswerEndsAtTheFinalServer() throws Exception {
    // no upstream knows nx.test: every address rule rejects, the final hosts server answers
    Message m = ask("nx.test", Type.A);
    assertThat(a(m)).isEqualTo("192.0.2.99");
  }

  @Test
  void addressRulesAreSkippedForNonAddressQueries() throws Exception {
    Message m = ask("txt.peer.test", Type.TXT);
    assertThat(((TXTRecord) m.getSection(Section.ANSWER).getFirst()).getStrings())
        .containsExactly("hello-from-dnsmasq");
    assertThat(ttl(m)).isEqualTo(88);
  }

  @Test
  void lookupsFollowTheSameRules() throws Exception {
    List<InetAddress> r =
        dns.resolver(new DnsQueryOptions(null, null, null, null, null)).resolve("split.test");
    assertThat(r).extracting(InetAddress::getHostAddress).containsExactly("198.51.100.7");
  }
}
