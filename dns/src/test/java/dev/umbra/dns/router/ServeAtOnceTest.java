package dev.umbra.dns.router;

import static dev.umbra.dns.router.DnsRouterTest.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.dns.TestUpstream;
import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsLimits;
import dev.umbra.dns.message.Messages;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** Cache hits answered from the stored encoding say exactly what the full path says. */
class ServeAtOnceTest {

  static byte[] wire(String name, int type, int id, Integer ednsPayload) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN));
    q.getHeader().setID(id);
    if (ednsPayload != null) {
      q.addRecord(new OPTRecord(ednsPayload, 0, 0), Section.ADDITIONAL);
    }
    return q.toWire();
  }

  static TestUpstream upstream() throws Exception {
    InetAddress a = InetAddress.getByName("192.0.2.9");
    return new TestUpstream((q, raw) -> {
      Message r = Messages.addresses(q, List.of(a), 300);
      if (q.getQuestion().getType() == Type.TXT) {
        // a big answer: does not fit 512 bytes
        for (int i = 0; i < 8; i++) {
          r.addRecord(
              new TXTRecord(q.getQuestion().getName(), DClass.IN, 300, "x".repeat(200) + i),
              Section.ANSWER);
        }
      }
      if (q.getOPT() != null) {
        r.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
      }
      return List.of(DnsCodec.encode(r));
    });
  }

  static DnsRouter router(int port, String extra) {
    return DnsRouterTest.router(
        """
        {"servers":[{"type":"udp","tag":"up","server":"127.0.0.1","server_port":%d}]%s}
        """
            .formatted(port, extra));
  }

  @Test
  void aHitIsTheFullPathsAnswerWithTheClientsIdAndCase() throws Exception {
    try (var up = upstream()) {
      DnsRouter r = router(up.port(), "");
      byte[] q1 = wire("hit.test", Type.A, 0x1111, null);
      assertThat(r.serveAtOnce(q1, q1.length, CLIENT, false)).isNull(); // a miss
      byte[] full = r.serve(q1, q1.length, CLIENT, false);
      assertThat(up.queries.get()).isEqualTo(1);

      byte[] q2 = wire("hit.test", Type.A, 0x2222, null);
      byte[] fast = r.serveAtOnce(q2, q2.length, CLIENT, false);
      assertThat(fast).isEqualTo(r.serve(q2, q2.length, CLIENT, false));
      assertThat(DnsCodec.id(fast, 0, fast.length)).isEqualTo(0x2222);
      assertThat(java.util.Arrays.copyOfRange(fast, 2, fast.length))
          .isEqualTo(java.util.Arrays.copyOfRange(full, 2, full.length));

      // the question comes back as the client wrote it (DNS 0x20)
      byte[] q3 = wire("HiT.tEsT", Type.A, 0x3333, null);
      Message m = DnsCodec.parse(r.serveAtOnce(q3, q3.length, CLIENT, false), DnsLimits.DEFAULT);
      assertThat(m.getQuestion().getName().toString()).isEqualTo("HiT.tEsT.");
      assertThat(Messages.answerAddresses(m))
          .extracting(InetAddress::getHostAddress)
          .containsExactly("192.0.2.9");
      assertThat(up.queries.get()).isEqualTo(1);
    }
  }

  @Test
  void optOnlyForClientsThatSendOneAndTruncationIsLeftToTheFullPath() throws Exception {
    try (var up = upstream()) {
      DnsRouter r = router(up.port(), "");
      byte[] edns = wire("opt.test", Type.A, 1, 1232);
      r.serve(edns, edns.length, CLIENT, false);
      byte[] withOpt = r.serveAtOnce(edns, edns.length, CLIENT, false);
      assertThat(DnsCodec.parse(withOpt, DnsLimits.DEFAULT).getOPT()).isNotNull();
      assertThat(withOpt).isEqualTo(r.serve(edns, edns.length, CLIENT, false));
      byte[] plain = wire("opt.test", Type.A, 2, null);
      byte[] noOpt = r.serveAtOnce(plain, plain.length, CLIENT, false);
      assertThat(DnsCodec.parse(noOpt, DnsLimits.DEFAULT).getOPT()).isNull();
      assertThat(noOpt).isEqualTo(r.serve(plain, plain.length, CLIENT, false));

      byte[] big = wire("big.test", Type.TXT, 3, 1232);
      r.serve(big, big.length, CLIENT, true);
      byte[] small = wire("big.test", Type.TXT, 4, null);
      assertThat(r.serveAtOnce(small, small.length, CLIENT, false)).isNull(); // > 512: TC path
      assertThat(r.serveAtOnce(small, small.length, CLIENT, true))
          .isEqualTo(r.serve(small, small.length, CLIENT, true));
      assertThat(up.queries.get()).isEqualTo(2);
    }
  }

  @Test
  void rewriteTtlAndRulesApplyToHits() throws Exception {
    try (var up = upstream()) {
      DnsRouter r =
          router(
              up.port(),
              """
              ,"rules":[
                {"domain":["ttl.test"],"action":"route","server":"up","rewrite_ttl":7},
                {"domain":["nx.test"],"action":"predefined","rcode":"NXDOMAIN"},
                {"domain":["nocache.test"],"action":"route","server":"up","disable_cache":true}]
              """);
      byte[] q = wire("ttl.test", Type.A, 5, null);
      r.serve(q, q.length, CLIENT, false);
      byte[] fast = r.serveAtOnce(q, q.length, CLIENT, false);
      assertThat(fast).isEqualTo(r.serve(q, q.length, CLIENT, false));
      assertThat(DnsCodec.parse(fast, DnsLimits.DEFAULT).getSection(Section.ANSWER))
          .extracting(Record::getTTL)
          .containsOnly(7L);

      byte[] nx = wire("nx.test", Type.A, 6, null);
      assertThat(r.serveAtOnce(nx, nx.length, CLIENT, false)).isNull();
      byte[] nc = wire("nocache.test", Type.A, 7, null);
      r.serve(nc, nc.length, CLIENT, false);
      assertThat(r.serveAtOnce(nc, nc.length, CLIENT, false)).isNull();
    }
  }

  @Test
  void cachedTtlsCountDown() throws Exception {
    DnsCache c = new DnsCache(16, false);
    Message q = DnsRouterTest.query("age.test", Type.A);
    c.put(
        new DnsCache.Key(Name.fromString("age.test."), Type.A, DClass.IN, ""),
        Messages.addresses(q, List.of(InetAddress.getByName("192.0.2.1")), 100),
        0);
    byte[] w = wire("age.test", Type.A, 9, null);
    var wq = dev.umbra.dns.message.WireQuery.parse(w, w.length);
    DnsCache.Key key = new DnsCache.Key(wq.canonicalName(), Type.A, DClass.IN, "");
    byte[] at30 = c.getWire(key, wq, 30_000_000_000L, -1, 512);
    assertThat(
            DnsCodec.parse(at30, DnsLimits.DEFAULT).getSection(Section.ANSWER).getFirst().getTTL())
        .isEqualTo(70);
    assertThat(c.getWire(key, wq, 100_000_000_000L, -1, 512)).isNull();

    DnsCache keep = new DnsCache(16, true);
    keep.put(key, Messages.addresses(q, List.of(InetAddress.getByName("192.0.2.1")), 100), 0);
    byte[] late = keep.getWire(key, wq, 500_000_000_000L, -1, 512);
    assertThat(
            DnsCodec.parse(late, DnsLimits.DEFAULT).getSection(Section.ANSWER).getFirst().getTTL())
        .isEqualTo(100);
  }
}
