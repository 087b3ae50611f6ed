package dev.umbra.dns.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DomainStrategy;
import dev.umbra.core.dial.DefaultDialer;
import dev.umbra.core.dial.SystemResolver;
import dev.umbra.core.net.Destination;
import dev.umbra.dns.TestDns;
import dev.umbra.dns.router.DnsRouter;
import dev.umbra.testkit.TestCerts;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DoH3 client (our HTTP/3 framing on kwik) against flupke's HTTP/3 server: the requests as the
 * server decoded them (method, path, authority, content type, body = the message with ID 0), GET,
 * connection reuse, certificates for IP addresses and for a TLS name other than the server, hostile
 * answers, and the checks at load.
 */
class Doh3TransportTest {
  @TempDir static Path dir;
  static TestCerts certs;
  static Doh3TestServer server;
  static DnsRouter dns;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.create(dir);
    server = new Doh3TestServer(certs);
    String tls = "\"tls\":{\"certificate_path\":\"" + certs.certificate() + "\"}";
    int port = server.port();
    dns =
        (DnsRouter)
            TestDns.build(
                """
                {"servers":[
                  {"type":"h3","tag":"post","server":"localhost","server_port":%1$d,%2$s},
                  {"type":"h3","tag":"get","server":"localhost","server_port":%1$d,
                   "method":"GET","path":"/q?x=1",%2$s},
                  {"type":"h3","tag":"ip","server":"127.0.0.1","server_port":%1$d,%2$s},
                  {"type":"h3","tag":"sni","server":"127.0.0.1","server_port":%1$d,
                   "headers":{"Host":"dns.example","X-Test":"yes"},
                   "tls":{"server_name":"localhost","certificate_path":"%3$s"}},
                  {"type":"h3","tag":"wrong","server":"127.0.0.1","server_port":%1$d,
                   "tls":{"server_name":"other.test","certificate_path":"%3$s"}},
                  {"type":"h3","tag":"untrusted","server":"localhost","server_port":%1$d}],
                 "disable_cache":true}
                """
                    .formatted(port, tls, certs.certificate()));
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

  static Message exchange(String serverTag, String name) throws Exception {
    return dns.servers().get(serverTag).exchange(query(name));
  }

  static String address(Message r) {
    return ((ARecord) r.getSection(Section.ANSWER).getFirst()).getAddress().getHostAddress();
  }

  static byte[] withIdZero(Message q) {
    Message c = q.clone();
    c.getHeader().setID(0);
    return c.toWire();
  }

  @Test
  void postCarriesTheMessageWithIdZeroAsADnsMessageBody() throws Exception {
    Message q = query("post.test");
    Message r = dns.servers().get("post").exchange(q);
    assertThat(r.getHeader().getID()).isEqualTo(q.getHeader().getID());
    assertThat(address(r)).isEqualTo("192.0.2.53");
    Doh3TestServer.Request got = server.requests.getLast();
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.path()).isEqualTo("/dns-query");
    assertThat(got.authority()).isEqualTo("localhost:" + server.port());
    assertThat(got.headers().firstValue("content-type")).hasValue("application/dns-message");
    assertThat(got.headers().firstValue("accept")).hasValue("application/dns-message");
    assertThat(got.body()).isEqualTo(withIdZero(q));
    assertThat(got.body()[0]).isZero();
    assertThat(got.body()[1]).isZero();
  }

  @Test
  void getCarriesTheMessageInTheQuery() throws Exception {
    Message q = query("get.test");
    assertThat(address(dns.servers().get("get").exchange(q))).isEqualTo("192.0.2.53");
    Doh3TestServer.Request got = server.requests.getLast();
    assertThat(got.method()).isEqualTo("GET");
    assertThat(got.body()).isEmpty();
    assertThat(got.path()).startsWith("/q?x=1&dns=");
    byte[] wire = Base64.getUrlDecoder().decode(got.path().substring("/q?x=1&dns=".length()));
    assertThat(wire).isEqualTo(withIdZero(q));
  }

  @Test
  void oneConnectionCarriesManyQueries() throws Exception {
    exchange("post", "warm.test");
    int connections = server.clientPorts.size();
    for (int i = 0; i < 10; i++) {
      assertThat(exchange("post", "n" + i + ".test").getRcode()).isZero();
    }
    assertThat(server.clientPorts).hasSize(connections);
  }

  @Test
  void anIpAddressServerIsCheckedAgainstTheCertificatesIpSan() throws Exception {
    assertThat(address(exchange("ip", "ip.test"))).isEqualTo("192.0.2.53");
    assertThat(server.requests.getLast().authority()).isEqualTo("127.0.0.1:" + server.port());
  }

  @Test
  void serverNameAndHostHeaderAreSeparateFromTheAddress() throws Exception {
    assertThat(address(exchange("sni", "sni.test"))).isEqualTo("192.0.2.53");
    Doh3TestServer.Request got = server.requests.getLast();
    assertThat(got.authority()).isEqualTo("dns.example:" + server.port());
    assertThat(got.headers().firstValue("x-test")).hasValue("yes");
    assertThat(got.headers().firstValue("host")).isEmpty();
  }

  @Test
  void aCertificateForAnotherNameOrFromAnUnknownCaIsRefused() {
    assertThatThrownBy(() -> exchange("wrong", "wrong.test")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> exchange("untrusted", "untrusted.test"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void badAnswersFailTheQueryAndTheNextQueryWorks() throws Exception {
    assertThatThrownBy(() -> exchange("post", "bad-id.test"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("another ID");
    assertThatThrownBy(() -> exchange("post", "status.test"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("status 503");
    assertThatThrownBy(() -> exchange("post", "type.test"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("text/plain");
    assertThatThrownBy(() -> exchange("post", "big.test"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("too large");
    assertThat(address(exchange("post", "after.test"))).isEqualTo("192.0.2.53");
  }

  @Test
  void aSilentServerTimesOut() throws Exception {
    // a server of its own: the slow answer holds one of the server's threads
    Doh3TestServer own = new Doh3TestServer(certs);
    own.slowMillis = 10_000;
    QuicEndpoint endpoint =
        new QuicEndpoint(
            Destination.of("localhost", own.port()),
            "localhost",
            dev.umbra.tls.TlsClient.trustManager(
                dev.umbra.core.config.Binder.bind(
                    dev.umbra.core.config.Jsonc.parse(
                        "{\"certificate_path\":\"" + certs.certificate() + "\"}", "tls"),
                    dev.umbra.tls.TlsOptions.class,
                    "tls"),
                "tls"),
            true,
            new DefaultDialer(null, null, SystemResolver.INSTANCE),
            false,
            SystemResolver.INSTANCE,
            DomainStrategy.AS_IS);
    try (own;
        Http3Transport t =
            new Http3Transport(
                "slow",
                endpoint,
                "localhost",
                "/dns-query",
                false,
                Map.of(),
                Duration.ofSeconds(3))) {
      assertThat(address(t.exchange(query("quick.test")))).isEqualTo("192.0.2.53");
      assertThatThrownBy(() -> t.exchange(query("slow.test")))
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void configIsCheckedAtLoad() {
    String[][] bad = {
      {"{\"type\":\"h3\",\"server\":\"127.0.0.1\",\"method\":\"PUT\"}", "dns.servers[0].method"},
      {"{\"type\":\"h3\",\"server\":\"127.0.0.1\",\"path\":\"dns\"}", "dns.servers[0].path"},
      {
        "{\"type\":\"h3\",\"server\":\"127.0.0.1\",\"tls\":{\"alpn\":[\"h2\"]}}",
        "dns.servers[0].tls.alpn"
      },
      {
        "{\"type\":\"h3\",\"server\":\"127.0.0.1\",\"tls\":{\"enabled\":false}}",
        "dns.servers[0].tls.enabled"
      },
      {
        "{\"type\":\"h3\",\"server\":\"127.0.0.1\",\"headers\":{\"Connection\":\"close\"}}",
        "dns.servers[0].headers.Connection"
      },
      {"{\"type\":\"h3\",\"server\":\"127.0.0.1\",\"detour\":\"nope\"}", "dns.servers[0].detour"},
      {"{\"type\":\"h3\"}", "dns.servers[0].server"},
    };
    for (String[] b : bad) {
      assertThatThrownBy(() -> TestDns.build("{\"servers\":[" + b[0] + "]}"))
          .as(b[0])
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(b[1]);
    }
  }

  @Test
  void theLegacyUrlFormBuildsADoh3Server() throws Exception {
    var legacy =
        (DnsRouter) TestDns.build("{\"servers\":[{\"address\":\"h3://127.0.0.1:8443/custom\"}]}");
    try {
      assertThat(legacy.servers().values()).first().isInstanceOf(Http3Transport.class);
      Http3Transport t = (Http3Transport) legacy.servers().values().iterator().next();
      byte[] request = t.request(new byte[] {1, 2});
      // the HEADERS frame carries the path and authority of the URL
      var frame =
          Http3Codec.readFrame(new java.io.ByteArrayInputStream(request), 4096, 4096, new int[1]);
      Map<String, String> fields = Http3Codec.decode(frame.payload());
      assertThat(fields)
          .containsEntry(":path", "/custom")
          .containsEntry(":authority", "127.0.0.1:8443")
          .containsEntry(":method", "POST");
    } finally {
      legacy.close();
    }
  }
}
