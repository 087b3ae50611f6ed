package dev.umbra.dns.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.dns.transport.DnsTransport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The server's bookkeeping: learn once, keep using what was learned until the interface changes,
 * ask again then, fall back to resolv.conf when DHCP is silent. The DHCP side is a responder on
 * loopback; each upstream "server" answers with its own address so the test sees which one was
 * asked. (The real exchange with dnsmasq is {@code DhcpDnsEndToEndTest} in the app module.)
 */
@Timeout(60)
class DhcpTransportTest {
  static final byte[] MAC = DhcpCodecTest.MAC;

  /** Upstream stand-in: answers every A query with the address of the server it stands for. */
  record Echo(InetAddress server) implements DnsTransport {
    @Override
    public String tag() {
      return "echo/" + server.getHostAddress();
    }

    @Override
    public String type() {
      return "echo";
    }

    @Override
    public Message exchange(Message query) {
      Message r = new Message(query.getHeader().getID());
      r.getHeader().setFlag(Flags.QR);
      r.addRecord(query.getQuestion(), Section.QUESTION);
      r.addRecord(
          new ARecord(query.getQuestion().getName(), DClass.IN, 60, server), Section.ANSWER);
      return r;
    }
  }

  static InterfaceState state(String... addresses) throws Exception {
    List<Inet4Address> v4 = new java.util.ArrayList<>();
    for (String a : addresses) {
      v4.add((Inet4Address) InetAddress.getByName(a));
    }
    return new InterfaceState("test0", 7, true, "02aabbccddee", v4);
  }

  static String ask(DnsTransport t) throws Exception {
    Message q =
        Message.newQuery(Record.newRecord(Name.fromString("x.dhcp.test."), Type.A, DClass.IN));
    Message r = t.exchange(q);
    return ((ARecord) r.getSection(Section.ANSWER).getFirst()).getAddress().getHostAddress();
  }

  static DhcpTransport transport(
      FakeDhcpServer server, AtomicReference<InterfaceState> iface, List<InetAddress> fallback) {
    return transport(server, iface, fallback, Echo::new);
  }

  static DhcpTransport transport(
      FakeDhcpServer server,
      AtomicReference<InterfaceState> iface,
      List<InetAddress> fallback,
      DhcpTransport.Upstreams upstreams) {
    return new DhcpTransport(
        "dhcp-test",
        "test0",
        iface::get,
        new DhcpClient("dhcp-test", Duration.ofMillis(300), Duration.ofMillis(300)),
        a ->
            new DhcpClient.Endpoint(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), server.address(), null),
        upstreams,
        () -> fallback,
        "resolv.conf",
        Duration.ofMillis(50));
  }

  static void await(java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.call()) {
      assertThat(System.nanoTime()).as("waited 20 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void learnsAndAsksAgainWhenTheInterfaceChanges() throws Exception {
    AtomicReference<byte[]> dns = new AtomicReference<>(new byte[] {10, 0, 0, 53});
    AtomicReference<InterfaceState> iface = new AtomicReference<>(state("127.0.0.1"));
    try (FakeDhcpServer server =
            new FakeDhcpServer(r -> List.of(FakeDhcpServer.ack(r, dns.get())));
        DhcpTransport t = transport(server, iface, List.of(InetAddress.getByName("10.0.0.99")))) {
      assertThat(ask(t)).isEqualTo("10.0.0.53");
      assertThat(t.fromDhcp()).isTrue();
      assertThat(t.searchDomains()).containsExactly("test");
      int asked = server.requests.size();

      // the DHCP server changes its mind: not seen until something on the interface changes
      dns.set(new byte[] {10, 0, 0, 54});
      Thread.sleep(300); // several polls
      assertThat(ask(t)).isEqualTo("10.0.0.53");
      assertThat(server.requests).hasSize(asked);

      iface.set(state("127.0.0.1", "127.0.0.2"));
      await(() -> ask(t).equals("10.0.0.54"));
      assertThat(server.requests.size()).isGreaterThan(asked);
    }
  }

  @Test
  void singleLabelNamesTryTheSearchDomainsFirst() throws Exception {
    AtomicReference<InterfaceState> iface = new AtomicReference<>(state("127.0.0.1"));
    try (FakeDhcpServer server =
            new FakeDhcpServer(r -> List.of(FakeDhcpServer.ack(r, new byte[] {10, 0, 0, 53})));
        DhcpTransport t = transport(server, iface, List.of())) {
      Message q =
          Message.newQuery(Record.newRecord(Name.fromString("printer."), Type.A, DClass.IN));
      Message r = t.exchange(q);
      assertThat(r.getHeader().getID()).isEqualTo(q.getHeader().getID());
      assertThat(r.getQuestion()).isEqualTo(q.getQuestion());
      List<Record> answers = r.getSection(Section.ANSWER);
      assertThat(answers.getFirst())
          .isInstanceOfSatisfying(
              org.xbill.DNS.CNAMERecord.class,
              c -> {
                assertThat(c.getName()).isEqualTo(q.getQuestion().getName());
                assertThat(c.getTarget().toString()).isEqualTo("printer.test.");
              });
      assertThat(answers.get(1).getName().toString()).isEqualTo("printer.test.");
      // a name with a dot is asked as it is
      assertThat(ask(t)).isEqualTo("10.0.0.53");
    }
  }

  @Test
  void theSearchListIsOrderedAsSingBoxOrdersIt() throws Exception {
    List<String> search = List.of("lan.test", "corp.test");
    assertThat(DhcpTransport.candidates(Name.fromString("printer."), search))
        .extracting(Name::toString)
        .containsExactly("printer.lan.test.", "printer.corp.test.", "printer.");
    assertThat(DhcpTransport.candidates(Name.fromString("nas.office."), search))
        .extracting(Name::toString)
        .containsExactly("nas.office.", "nas.office.lan.test.", "nas.office.corp.test.");
    assertThat(DhcpTransport.candidates(Name.fromString("abc.onion."), search)).isEmpty();
    // a name that grows too long under a search domain is tried only as it is
    Name longName = Name.fromString(("a".repeat(62) + ".").repeat(4));
    assertThat(DhcpTransport.candidates(longName, search)).containsExactly(longName);
  }

  /**
   * A name with a dot that does not exist as it is (NXDOMAIN) is tried again under the search
   * domains, and the hit comes back under the asked name; a name that does exist is answered as it
   * is; a name that exists nowhere keeps its own NXDOMAIN.
   */
  @Test
  void multiLabelNamesAreRetriedUnderTheSearchDomains() throws Exception {
    AtomicReference<InterfaceState> iface = new AtomicReference<>(state("127.0.0.1"));
    List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    DhcpTransport.Upstreams zone =
        server ->
            new DnsTransport() {
              @Override
              public String tag() {
                return "zone";
              }

              @Override
              public String type() {
                return "zone";
              }

              @Override
              public Message exchange(Message query) {
                Name n = query.getQuestion().getName();
                asked.add(n.toString());
                if (n.toString().equals("nas.office.test.")
                    || n.toString().equals("www.example.")) {
                  return new Echo(server).exchange(query);
                }
                Message r = new Message(query.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.getHeader().setRcode(org.xbill.DNS.Rcode.NXDOMAIN);
                r.addRecord(query.getQuestion(), Section.QUESTION);
                return r;
              }
            };
    try (FakeDhcpServer server =
            new FakeDhcpServer(r -> List.of(FakeDhcpServer.ack(r, new byte[] {10, 0, 0, 53})));
        DhcpTransport t = transport(server, iface, List.of(), zone)) {
      Message q =
          Message.newQuery(Record.newRecord(Name.fromString("nas.office."), Type.A, DClass.IN));
      Message r = t.exchange(q);
      assertThat(asked).containsExactly("nas.office.", "nas.office.test.");
      assertThat(r.getRcode()).isEqualTo(org.xbill.DNS.Rcode.NOERROR);
      assertThat(r.getQuestion()).isEqualTo(q.getQuestion());
      assertThat(r.getSection(Section.ANSWER).getFirst())
          .isInstanceOfSatisfying(
              org.xbill.DNS.CNAMERecord.class,
              c -> assertThat(c.getTarget().toString()).isEqualTo("nas.office.test."));

      asked.clear();
      Message www =
          t.exchange(
              Message.newQuery(
                  Record.newRecord(Name.fromString("www.example."), Type.A, DClass.IN)));
      assertThat(asked).containsExactly("www.example.");
      assertThat(www.getSection(Section.ANSWER).getFirst().getName().toString())
          .isEqualTo("www.example.");

      asked.clear();
      Message none =
          t.exchange(
              Message.newQuery(
                  Record.newRecord(Name.fromString("gone.example."), Type.A, DClass.IN)));
      assertThat(asked).containsExactly("gone.example.", "gone.example.test.");
      assertThat(none.getRcode()).isEqualTo(org.xbill.DNS.Rcode.NXDOMAIN);
      assertThat(none.getQuestion().getName().toString()).isEqualTo("gone.example.");
    }
  }

  @Test
  void fallsBackToResolvConfAndBackToDhcp() throws Exception {
    AtomicReference<InterfaceState> iface = new AtomicReference<>(state("127.0.0.1"));
    try (FakeDhcpServer server = new FakeDhcpServer(r -> List.of());
        DhcpTransport t = transport(server, iface, List.of(InetAddress.getByName("10.0.0.99")))) {
      assertThat(ask(t)).isEqualTo("10.0.0.99");
      assertThat(t.fromDhcp()).isFalse();

      // a DHCP server appears; the next change of the interface finds it
      server.responder = r -> List.of(FakeDhcpServer.ack(r, new byte[] {10, 0, 0, 53}));
      iface.set(state("127.0.0.1", "127.0.0.3"));
      await(() -> ask(t).equals("10.0.0.53"));
      assertThat(t.fromDhcp()).isTrue();

      // the interface goes away: resolv.conf again
      iface.set(null);
      await(() -> ask(t).equals("10.0.0.99"));
      assertThat(t.servers()).containsExactly(InetAddress.getByName("10.0.0.99"));
    }
  }

  @Test
  void anInterfaceWithoutIpv4UsesTheFallbackAtOnce() throws Exception {
    AtomicReference<InterfaceState> iface = new AtomicReference<>(state());
    try (FakeDhcpServer server = new FakeDhcpServer(r -> List.of());
        DhcpTransport t = transport(server, iface, List.of(InetAddress.getByName("10.0.0.98")))) {
      assertThat(ask(t)).isEqualTo("10.0.0.98");
      assertThat(server.requests).isEmpty();
    }
  }
}
