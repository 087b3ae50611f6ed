package dev.umbra.dns.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.config.ConfigException;
import dev.umbra.dns.TestDns;
import dev.umbra.dns.router.DnsRouter;
import dev.umbra.testkit.TestCerts;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The DoQ client (kwik) against a DoQ server side built on kwik's QUIC server: answers, RFC 9250
 * §4.2 framing of the captured request streams, connection reuse, a hostile answer, and servers
 * given as an IP address or with a TLS name other than the address.
 */
class DoqTransportTest {
  @TempDir static Path dir;
  static TestCerts certs;
  static DoqTestServer server;
  static DnsRouter dns;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.create(dir);
    server = new DoqTestServer(certs);
    dns =
        (DnsRouter)
            TestDns.build(
                """
                {"servers":[{"type":"quic","tag":"doq","server":"localhost","server_port":%d,
                  "tls":{"enabled":true,"certificate_path":"%s"}}],
                 "disable_cache":true}
                """
                    .formatted(server.port(), certs.certificate()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dns != null) {
      dns.close();
    }
    if (server != null) {
      server.close();
    }
  }

  static Message query(String name) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
  }

  @Test
  void answersComeBackWithTheCallersIdAndTheStreamIsFramedAsRfc9250Says() throws Exception {
    int before = server.requests.size();
    Message q = query("doq.test");
    Message r = dns.exchange(q, null, DnsQueryOptions.DEFAULT);
    assertThat(r.getHeader().getID()).isEqualTo(q.getHeader().getID());
    assertThat(r.getSection(org.xbill.DNS.Section.ANSWER))
        .extracting(rec -> ((org.xbill.DNS.ARecord) rec).getAddress().getHostAddress())
        .containsExactly("192.0.2.53");
    byte[] raw = server.requests.get(before);
    int length = ((raw[0] & 0xff) << 8) | (raw[1] & 0xff);
    // 2-byte length prefix covering exactly the message, then FIN (the server read to the end)
    assertThat(raw.length).isEqualTo(2 + length);
    // message ID 0
    assertThat(raw[2]).isZero();
    assertThat(raw[3]).isZero();
    assertThat(new Message(java.util.Arrays.copyOfRange(raw, 2, raw.length)).getQuestion())
        .isEqualTo(q.getQuestion());
  }

  @Test
  void oneConnectionCarriesManyQueries() throws Exception {
    List<InetAddress> first = dns.resolver(DnsQueryOptions.DEFAULT).resolve("warm.test");
    assertThat(first).extracting(InetAddress::getHostAddress).contains("192.0.2.53");
    int connections = server.connections.get();
    for (int i = 0; i < 10; i++) {
      assertThat(dns.exchange(query("n" + i + ".test"), null, DnsQueryOptions.DEFAULT).getRcode())
          .isZero();
    }
    assertThat(server.connections.get()).isEqualTo(connections);
  }

  @Test
  void anAnswerWithANonZeroIdIsAProtocolError() throws Exception {
    assertThatThrownBy(() -> dns.exchange(query("bad-id.test"), null, DnsQueryOptions.DEFAULT))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("non-zero message ID");
    // the next query opens a fresh connection and works
    assertThat(dns.exchange(query("after.test"), null, DnsQueryOptions.DEFAULT).getRcode())
        .isZero();
  }

  @Test
  void anIpAddressServerAndATlsNameApartFromTheAddressBothWork() throws Exception {
    DnsRouter ip =
        (DnsRouter)
            TestDns.build(
                """
                {"servers":[
                  {"type":"quic","tag":"ip","server":"127.0.0.1","server_port":%1$d,
                   "tls":{"certificate_path":"%2$s"}},
                  {"type":"quic","tag":"named","server":"127.0.0.1","server_port":%1$d,
                   "tls":{"server_name":"localhost","certificate_path":"%2$s"}},
                  {"type":"quic","tag":"wrong","server":"127.0.0.1","server_port":%1$d,
                   "tls":{"server_name":"other.test","certificate_path":"%2$s"}}],
                 "disable_cache":true}
                """
                    .formatted(server.port(), certs.certificate()));
    try {
      // the certificate has an IP SAN for 127.0.0.1 and a DNS SAN for localhost
      assertThat(ip.servers().get("ip").exchange(query("ip.test")).getRcode()).isZero();
      assertThat(ip.servers().get("named").exchange(query("named.test")).getRcode()).isZero();
      assertThatThrownBy(() -> ip.servers().get("wrong").exchange(query("wrong.test")))
          .isInstanceOf(IOException.class);
    } finally {
      ip.close();
    }
  }

  @Test
  void configIsCheckedAtLoad() {
    assertThatThrownBy(() ->
            TestDns.build(
                """
                {"servers":[{"type":"quic","server":"127.0.0.1","detour":"x"}]}
                """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dns.servers[0]");
    assertThatThrownBy(() ->
            TestDns.build(
                """
                {"servers":[{"type":"quic","server":"127.0.0.1",
                  "tls":{"alpn":["h3"]}}]}
                """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dns.servers[0].tls.alpn");
    // the legacy URL form builds a DoQ server too
    var legacy = (DnsRouter) TestDns.build("{\"servers\":[{\"address\":\"quic://127.0.0.1\"}]}");
    assertThat(legacy.servers().values()).first().isInstanceOf(QuicTransport.class);
    legacy.close();
  }
}
