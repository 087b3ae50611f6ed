package dev.umbra.dns.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DomainStrategy;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.dns.TestDns;
import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsLimits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsRouterTest {
  static final Metadata CLIENT =
      Metadata.of(
          "in",
          "direct",
          Network.UDP,
          new InetSocketAddress("127.0.0.1", 40000),
          Destination.of("127.0.0.1", 53));

  static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN));
  }

  static DnsRouter router(String json) {
    return (DnsRouter) TestDns.build(json);
  }

  static final String HOSTS =
      """
      {"type":"hosts","tag":"hosts","predefined":{
        "a.test":["192.0.2.1","2001:db8::1"],"b.test":["192.0.2.2"]}}
      """;

  @Test
  void rulesPickServersAndActions() throws Exception {
    DnsRouter r =
        router(
            """
            {"servers":[%s,
              {"type":"fakeip","tag":"fake","inet4_range":"198.18.0.0/15"}],
             "rules":[
               {"domain":["blocked.test"],"action":"predefined","rcode":"NXDOMAIN"},
               {"domain":["answer.test"],"action":"predefined",
                "answer":["answer.test. 30 IN A 203.0.113.7"]},
               {"domain":["drop.test"],"action":"reject","method":"drop"},
               {"domain":["refuse.test"],"action":"reject"},
               {"domain_suffix":["fake.test"],"query_type":"A","server":"fake"},
               {"type":"logical","mode":"and","rules":[
                  {"domain_keyword":["logic"]},{"query_type":["AAAA"]}],
                "action":"predefined","rcode":"REFUSED"},
               {"inbound":["in"],"domain":["inbound.test"],"action":"predefined","rcode":"SERVFAIL"}
             ],
             "final":"hosts"}
            """
                .formatted(HOSTS));
    assertThat(
            r.exchange(query("blocked.test", Type.A), CLIENT, DnsQueryOptions.DEFAULT).getRcode())
        .isEqualTo(Rcode.NXDOMAIN);
    Message ans = r.exchange(query("answer.test", Type.A), CLIENT, DnsQueryOptions.DEFAULT);
    assertThat(ans.getSection(Section.ANSWER).getFirst().rdataToString()).isEqualTo("203.0.113.7");
    assertThatThrownBy(
            () -> r.exchange(query("drop.test", Type.A), CLIENT, DnsQueryOptions.DEFAULT))
        .isInstanceOf(DnsRouter.DropException.class);
    assertThat(r.exchange(query("refuse.test", Type.A), CLIENT, DnsQueryOptions.DEFAULT).getRcode())
        .isEqualTo(Rcode.REFUSED);
    Message fake = r.exchange(query("x.fake.test", Type.A), CLIENT, DnsQueryOptions.DEFAULT);
    InetAddress fakeAddress =
        InetAddress.getByName(fake.getSection(Section.ANSWER).getFirst().rdataToString());
    assertThat(r.fakeIpDomain(fakeAddress)).contains("x.fake.test");
    assertThat(r.isFakeIp(InetAddress.getByName("198.19.0.9"))).isTrue();
    assertThat(r.fakeIpDomain(InetAddress.getByName("198.19.0.9"))).isEmpty();
    // AAAA for the fakeip domain is not matched by query_type A: final server (hosts) says NXDOMAIN
    assertThat(
            r.exchange(query("x.fake.test", Type.AAAA), CLIENT, DnsQueryOptions.DEFAULT).getRcode())
        .isEqualTo(Rcode.NXDOMAIN);
    assertThat(
            r.exchange(query("logic.test", Type.AAAA), CLIENT, DnsQueryOptions.DEFAULT).getRcode())
        .isEqualTo(Rcode.REFUSED);
    assertThat(r.exchange(query("logic.test", Type.A), CLIENT, DnsQueryOptions.DEFAULT).getRcode())
        .isEqualTo(Rcode.NXDOMAIN);
    assertThat(
            r.exchange(query("inbound.test", Type.A), CLIENT, DnsQueryOptions.DEFAULT).getRcode())
        .isEqualTo(Rcode.SERVFAIL);
    // without a client (internal lookups) the inbound rule does not match
    assertThat(r.exchange(query("inbound.test", Type.A), null, DnsQueryOptions.DEFAULT).getRcode())
        .isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void resolverHonoursStrategyAndServer() throws Exception {
    DnsRouter r = router("{\"servers\":[" + HOSTS + "]}");
    assertThat(r.resolve("a.test"))
        .extracting(InetAddress::getHostAddress)
        .containsExactlyInAnyOrder("192.0.2.1", "2001:db8:0:0:0:0:0:1");
    assertThat(
            r.resolver(new DnsQueryOptions(null, DomainStrategy.IPV6_ONLY, null, null, null))
                .resolve("a.test"))
        .extracting(InetAddress::getHostAddress)
        .containsExactly("2001:db8:0:0:0:0:0:1");
    assertThat(
            r.resolver(new DnsQueryOptions("hosts", DomainStrategy.PREFER_IPV4, null, null, null))
                .resolve("a.test")
                .getFirst()
                .getHostAddress())
        .isEqualTo("192.0.2.1");
    assertThatThrownBy(() -> r.resolve("missing.test")).isInstanceOf(UnknownHostException.class);
    assertThatThrownBy(() -> r.resolver(new DnsQueryOptions("nope", null, null, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown DNS server 'nope'");
    assertThat(r.resolve("192.0.2.9"))
        .extracting(InetAddress::getHostAddress)
        .containsExactly("192.0.2.9");
  }

  @Test
  void cacheKeepsAnswersForTheirTtlAndRewriteTtlApplies() throws Exception {
    try (var up = dev.umbra.dns.TestUpstream.answering("192.0.2.50", 300)) {
      DnsRouter r =
          router(
              """
              {"servers":[{"type":"udp","tag":"up","server":"127.0.0.1","server_port":%d}],
               "rules":[{"domain":["short.test"],"server":"up","rewrite_ttl":5},
                        {"domain":["nocache.test"],"server":"up","disable_cache":true}]}
              """
                  .formatted(up.port()));
      var v4 = r.resolver(new DnsQueryOptions(null, DomainStrategy.IPV4_ONLY, null, null, null));
      for (int i = 0; i < 5; i++) {
        assertThat(v4.resolve("cached.test")).hasSize(1);
      }
      int afterCached = up.queries.get();
      assertThat(afterCached).isEqualTo(1);
      Message m = r.exchange(query("short.test", Type.A), CLIENT, DnsQueryOptions.DEFAULT);
      assertThat(m.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(5);
      for (int i = 0; i < 3; i++) {
        r.exchange(query("nocache.test", Type.A), CLIENT, DnsQueryOptions.DEFAULT);
      }
      assertThat(up.queries.get()).isEqualTo(afterCached + 1 + 3);
    }
  }

  @Test
  void cacheIsBoundedByCapacity() throws Exception {
    try (var up = dev.umbra.dns.TestUpstream.answering("192.0.2.51", 300)) {
      DnsRouter r =
          router(
              """
              {"servers":[{"type":"udp","tag":"up","server":"127.0.0.1","server_port":%d}],
               "cache_capacity":1024}
              """
                  .formatted(up.port()));
      for (int i = 0; i < 1100; i++) {
        r.exchange(query("n" + i + ".test", Type.A), CLIENT, DnsQueryOptions.DEFAULT);
      }
      assertThat(r.cacheSize()).isEqualTo(1024);
    }
  }

  @Test
  void clientSubnetIsSentUpstream() throws Exception {
    ClientSubnetOption[] seen = new ClientSubnetOption[1];
    try (var up =
        new dev.umbra.dns.TestUpstream((q, raw) -> {
          OPTRecord opt = q.getOPT();
          if (opt != null) {
            for (EDNSOption o : opt.getOptions(EDNSOption.Code.CLIENT_SUBNET)) {
              seen[0] = (ClientSubnetOption) o;
            }
          }
          return List.of(
              DnsCodec.encode(
                  dev.umbra.dns.message.Messages.addresses(
                      q, List.of(InetAddress.getLoopbackAddress()), 60)));
        })) {
      DnsRouter r =
          router(
              """
              {"servers":[{"type":"udp","tag":"up","server":"127.0.0.1","server_port":%d}],
               "client_subnet":"203.0.113.0/24"}
              """
                  .formatted(up.port()));
      r.resolve("ecs.test");
      assertThat(seen[0]).isNotNull();
      assertThat(seen[0].getSourcePrefixLength()).isEqualTo(24);
      assertThat(seen[0].getAddress().getHostAddress()).isEqualTo("203.0.113.0");
    }
  }

  @Test
  void spoofedAndMalformedAnswersAreDroppedAndTheRealOneWins() throws Exception {
    try (var up =
        new dev.umbra.dns.TestUpstream((q, raw) -> {
          Message wrongId =
              dev.umbra.dns.message.Messages.addresses(q, List.of(addr("6.6.6.6")), 999);
          wrongId.getHeader().setID((q.getHeader().getID() + 1) & 0xffff);
          Message wrongQuestion;
          try {
            wrongQuestion =
                dev.umbra.dns.message.Messages.addresses(
                    query("other.test", Type.A), List.of(addr("6.6.6.7")), 999);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          wrongQuestion.getHeader().setID(q.getHeader().getID());
          byte[] loop =
              new byte[] {
                raw[0],
                raw[1],
                (byte) 0x81,
                (byte) 0x80,
                0,
                1,
                0,
                0,
                0,
                0,
                0,
                0,
                (byte) 0xc0,
                12,
                0,
                1,
                0,
                1
              };
          byte[] truncated =
              java.util.Arrays.copyOf(
                  DnsCodec.encode(
                      dev.umbra.dns.message.Messages.addresses(q, List.of(addr("6.6.6.8")), 999)),
                  20);
          return List.of(
              DnsCodec.encode(wrongId),
              DnsCodec.encode(wrongQuestion),
              loop,
              truncated,
              new byte[] {1, 2, 3},
              DnsCodec.encode(
                  dev.umbra.dns.message.Messages.addresses(q, List.of(addr("192.0.2.77")), 60)));
        })) {
      DnsRouter r =
          router(
              "{\"servers\":[{\"type\":\"udp\",\"tag\":\"up\",\"server\":\"127.0.0.1\",\"server_port\":"
                  + up.port()
                  + "}]}");
      assertThat(r.resolve("spoof.test"))
          .extracting(InetAddress::getHostAddress)
          .containsExactly("192.0.2.77");
      // and the cache holds only the real answer
      assertThat(r.resolve("spoof.test"))
          .extracting(InetAddress::getHostAddress)
          .containsExactly("192.0.2.77");
    }
  }

  static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void serveAnswersFormErrForGarbageAndTruncatesUdp() throws Exception {
    DnsService r =
        router(
            """
            {"servers":[{"type":"hosts","tag":"h"}],
             "rules":[{"domain":["big.test"],"action":"predefined","answer":[%s]}]}
            """
                .formatted(
                    String.join(
                        ",",
                        java.util.stream.IntStream.range(0, 60)
                            .mapToObj(
                                i -> "\"big.test. 60 IN TXT \\\"" + "x".repeat(100) + i + "\\\"\"")
                            .toList())));
    byte[] garbage = new byte[40];
    garbage[0] = 0x12;
    garbage[1] = 0x34;
    garbage[5] = 1;
    garbage[12] = (byte) 0xc0;
    garbage[13] = 12;
    Message formerr =
        DnsCodec.parse(r.serve(garbage, garbage.length, CLIENT, false), DnsLimits.DEFAULT);
    assertThat(formerr.getRcode()).isEqualTo(Rcode.FORMERR);
    assertThat(formerr.getHeader().getID()).isEqualTo(0x1234);
    assertThat(r.serve(new byte[] {1, 2, 3}, 3, CLIENT, false)).isNull();
    byte[] q = query("big.test", Type.TXT).toWire();
    byte[] udp = r.serve(q, q.length, CLIENT, false);
    assertThat(udp.length).isLessThanOrEqualTo(512);
    assertThat(DnsCodec.parse(udp, DnsLimits.DEFAULT).getHeader().getFlag(Flags.TC)).isTrue();
    byte[] tcp = r.serve(q, q.length, CLIENT, true);
    assertThat(DnsCodec.parse(tcp, DnsLimits.DEFAULT).getSection(Section.ANSWER)).hasSize(60);
    // a response sent as a query is dropped
    Message resp = query("big.test", Type.A);
    resp.getHeader().setFlag(Flags.QR);
    byte[] w = resp.toWire();
    assertThat(r.serve(w, w.length, CLIENT, false)).isNull();
  }
}
