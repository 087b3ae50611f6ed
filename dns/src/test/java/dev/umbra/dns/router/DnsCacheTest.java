package dev.umbra.dns.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.dns.TestDns;
import dev.umbra.dns.TestUpstream;
import dev.umbra.dns.message.Messages;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsCacheTest {
  static final long SECOND = 1_000_000_000L;

  static Message answer(long ttl) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("a.test."), Type.A, DClass.IN));
    return Messages.addresses(q, List.of(InetAddress.getByName("192.0.2.1")), ttl);
  }

  static DnsCache.Key key(String server) throws Exception {
    return new DnsCache.Key(Name.fromString("a.test."), Type.A, DClass.IN, server);
  }

  @Test
  void ttlsCountDownAndEntriesExpire() throws Exception {
    DnsCache c = new DnsCache(1024, false);
    c.put(key(""), answer(10), 0);
    assertThat(c.get(key(""), 4 * SECOND).getSection(Section.ANSWER).getFirst().getTTL())
        .isEqualTo(6);
    assertThat(c.get(key(""), 10 * SECOND)).isNull();
    assertThat(c.size()).isZero();
  }

  @Test
  void disableExpireKeepsEntries() throws Exception {
    DnsCache c = new DnsCache(1024, true);
    c.put(key(""), answer(10), 0);
    assertThat(c.get(key(""), 3600 * SECOND)).isNotNull();
  }

  @Test
  void serversHaveSeparateEntriesWhenIndependent() throws Exception {
    DnsCache c = new DnsCache(1024, false);
    c.put(key("one"), answer(10), 0);
    assertThat(c.get(key("two"), 0)).isNull();
    assertThat(c.get(key("one"), 0)).isNotNull();
  }

  @Test
  void negativeAnswersUseTheSoaAndErrorsAreNotKept() throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("n.test."), Type.A, DClass.IN));
    Message nx = Messages.reply(q, Rcode.NXDOMAIN);
    nx.addRecord(
        new SOARecord(
            Name.fromString("test."),
            DClass.IN,
            300,
            Name.fromString("ns.test."),
            Name.fromString("h.test."),
            1,
            60,
            60,
            60,
            30),
        Section.AUTHORITY);
    assertThat(DnsCache.ttlOf(nx)).isEqualTo(30);
    assertThat(DnsCache.ttlOf(Messages.reply(q, Rcode.SERVFAIL))).isZero();
    assertThat(DnsCache.ttlOf(Messages.reply(q, Rcode.NOERROR))).isZero();
  }

  @Test
  void independentCacheAsksEachServerAndReverseMappingRemembersAnswers() throws Exception {
    try (TestUpstream a = TestUpstream.answering("192.0.2.10", 300);
        TestUpstream b = TestUpstream.answering("192.0.2.20", 300)) {
      String servers =
          "[{\"type\":\"udp\",\"tag\":\"a\",\"server\":\"127.0.0.1\",\"server_port\":%d},"
                  .formatted(a.port())
              + "{\"type\":\"udp\",\"tag\":\"b\",\"server\":\"127.0.0.1\",\"server_port\":%d}]"
                  .formatted(b.port());
      DnsRouter shared =
          (DnsRouter) TestDns.build("{\"servers\":" + servers + ",\"reverse_mapping\":true}");
      DnsRouter independent =
          (DnsRouter) TestDns.build("{\"servers\":" + servers + ",\"independent_cache\":true}");
      DnsQueryOptions viaA = new DnsQueryOptions("a", null, null, null, null);
      DnsQueryOptions viaB = new DnsQueryOptions("b", null, null, null, null);
      Message q = Message.newQuery(Record.newRecord(Name.fromString("x.test."), Type.A, DClass.IN));
      shared.exchange(q, null, viaA);
      // a shared cache answers b's question from a's answer
      assertThat(
              Messages.answerAddresses(shared.exchange(q, null, viaB)).getFirst().getHostAddress())
          .isEqualTo("192.0.2.10");
      assertThat(shared.reverseDomain(InetAddress.getByName("192.0.2.10"))).contains("x.test");
      independent.exchange(q, null, viaA);
      assertThat(
              Messages.answerAddresses(independent.exchange(q, null, viaB))
                  .getFirst()
                  .getHostAddress())
          .isEqualTo("192.0.2.20");
      assertThat(independent.reverseDomain(InetAddress.getByName("192.0.2.10"))).isEmpty();
      shared.close();
      independent.close();
    }
  }
}
