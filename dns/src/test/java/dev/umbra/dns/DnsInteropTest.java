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
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** Every stream and datagram transport against dnsmasq and unbound (Do53, DoT, DoH over h2). */
@Tag("interop")
class DnsInteropTest {
  @TempDir static Path dir;
  static DnsPeers peers;
  static DnsService dns;

  @BeforeAll
  static void start() throws Exception {
    peers = new DnsPeers(dir);
    String tls =
        "{\"enabled\":true,\"server_name\":\"localhost\",\"certificate_path\":\""
            + peers.certs.certificate()
            + "\"}";
    dns =
        TestDns.build(
            """
            {"servers":[
              {"type":"udp","tag":"masq-udp","server":"127.0.0.1","server_port":%d},
              {"type":"tcp","tag":"masq-tcp","server":"127.0.0.1","server_port":%d},
              {"type":"udp","tag":"unbound-udp","server":"127.0.0.1","server_port":%d},
              {"type":"tcp","tag":"unbound-tcp","server":"127.0.0.1","server_port":%d},
              {"type":"tls","tag":"unbound-dot","server":"127.0.0.1","server_port":%d,"tls":%s},
              {"type":"https","tag":"unbound-doh","server":"127.0.0.1","server_port":%d,"tls":%s},
              {"type":"https","tag":"unbound-doh-get","server":"127.0.0.1","server_port":%d,
               "method":"GET","tls":%s},
              {"address":"tcp://127.0.0.1:%d","tag":"legacy"}
            ],
            "disable_cache":true}
            """
                .formatted(
                    peers.dnsmasq,
                    peers.dnsmasq,
                    peers.unbound,
                    peers.unbound,
                    peers.unboundTls,
                    tls,
                    peers.unboundHttps,
                    tls,
                    peers.unboundHttps,
                    tls,
                    peers.dnsmasq));
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

  static List<InetAddress> resolve(String server, String name) throws Exception {
    return dns.resolver(new DnsQueryOptions(server, null, null, null, null)).resolve(name);
  }

  static String ip(String s) throws Exception {
    return InetAddress.getByName(s).getHostAddress();
  }

  @Test
  void dnsmasqOverUdpAndTcp() throws Exception {
    for (String s : List.of("masq-udp", "masq-tcp", "legacy")) {
      assertThat(resolve(s, "peer.test"))
          .as(s)
          .extracting(InetAddress::getHostAddress)
          .contains("127.0.0.1", ip("::1"));
    }
    Message q =
        Message.newQuery(Record.newRecord(Name.fromString("txt.peer.test."), Type.TXT, DClass.IN));
    Message r =
        ((DnsRouter) dns)
            .exchange(q, null, new DnsQueryOptions("masq-tcp", null, null, null, null));
    assertThat(((TXTRecord) r.getSection(Section.ANSWER).getFirst()).getStrings())
        .containsExactly("hello-from-dnsmasq");
    assertThat(r.getHeader().getID()).isEqualTo(q.getHeader().getID());
  }

  @Test
  void unboundOverEveryTransport() throws Exception {
    for (String s :
        List.of("unbound-udp", "unbound-tcp", "unbound-dot", "unbound-doh", "unbound-doh-get")) {
      assertThat(resolve(s, "a.unbound.test"))
          .as(s)
          .extracting(InetAddress::getHostAddress)
          .containsExactly("127.0.0.2");
      // forwarded by unbound to dnsmasq
      assertThat(resolve(s, "peer.test"))
          .as(s)
          .extracting(InetAddress::getHostAddress)
          .contains("127.0.0.1");
    }
  }

  @Test
  void repeatedQueriesReuseStreamConnections() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThat(resolve("unbound-dot", "a.unbound.test")).hasSize(1);
      assertThat(resolve("masq-tcp", "peer.test")).hasSize(2);
    }
  }
}
