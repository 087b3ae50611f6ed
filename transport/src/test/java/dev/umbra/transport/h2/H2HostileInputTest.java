package dev.umbra.transport.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Conn;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.TestCerts;
import dev.umbra.transport.Dial;
import dev.umbra.transport.Loopback;
import dev.umbra.transport.ServerStack;
import dev.umbra.transport.TransportOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests the http and grpc transport servers must refuse as sing-box does (wrong host: 400, wrong
 * path, method or content type: 404; a malformed gun message closes its stream), checked with curl
 * as an independent HTTP/2 client and, on one shared connection, with a healthy stream that must go
 * on untouched.
 */
@Tag("interop")
class H2HostileInputTest {
  @TempDir static Path dir;
  static TestCerts certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TestCerts.create(dir);
  }

  static final String HTTP = "{\"type\": \"http\", \"host\": [\"a.test\"], \"path\": \"/h2\"}";

  static String status(String... args) throws Exception {
    String[] all = Arrays.copyOf(args, args.length + 4);
    System.arraycopy(
        new String[] {"-o", "/dev/null", "-w", "%{http_version} %{http_code}"},
        0,
        all,
        args.length,
        4);
    Curl.Result r = Curl.run(all);
    return r.text();
  }

  @Test
  void curlGetsSingBoxStatusesFromTheHttpTransport() throws Exception {
    TransportOptions t = Loopback.transport(HTTP);
    try (Loopback tls =
            new Loopback(
                ServerStack.create(Loopback.serverTls(certs), t, "inbounds[0]"), Loopback.echo());
        Loopback plain =
            new Loopback(ServerStack.create(null, t, "inbounds[1]"), Loopback.echo())) {
      String https = "https://127.0.0.1:" + tls.port();
      assertThat(status("-k", "--http2", "-H", "Host: a.test", https + "/other"))
          .isEqualTo("2 404");
      assertThat(status("-k", "--http2", "-H", "Host: b.test", https + "/h2")).isEqualTo("2 400");
      String h2c = "http://127.0.0.1:" + plain.port();
      assertThat(status("--http2-prior-knowledge", "-H", "Host: a.test", h2c + "/x"))
          .isEqualTo("2 404");
      assertThat(status("--http1.1", "-H", "Host: a.test", h2c + "/x")).isEqualTo("1.1 404");
      assertThat(status("--http1.1", "-H", "Host: c.test", h2c + "/h2")).isEqualTo("1.1 400");
    }
  }

  @Test
  void curlGetsA404FromTheGrpcTransport() throws Exception {
    TransportOptions t = Loopback.transport("{\"type\": \"grpc\", \"service_name\": \"svc\"}");
    try (Loopback plain =
        new Loopback(ServerStack.create(null, t, "inbounds[0]"), Loopback.echo())) {
      String h2c = "http://127.0.0.1:" + plain.port();
      String grpc = "content-type: application/grpc";
      assertThat(status("--http2-prior-knowledge", "-X", "POST", "-H", grpc, h2c + "/other/Tun"))
          .isEqualTo("2 404");
      assertThat(status("--http2-prior-knowledge", "-X", "PUT", "-H", grpc, h2c + "/svc/Tun"))
          .isEqualTo("2 404");
      assertThat(status("--http2-prior-knowledge", "-X", "POST", h2c + "/svc/Tun"))
          .isEqualTo("2 404");
    }
  }

  static MetaData.Request request(String method, String uri, String contentType) {
    HttpFields.Mutable f = HttpFields.build();
    if (contentType != null) {
      f.put("content-type", contentType);
    }
    return new MetaData.Request(method, HttpURI.build(uri), HttpVersion.HTTP_2, f);
  }

  static String exchange(Conn c, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    c.out().write(b);
    c.out().flush();
    c.setReadTimeout(10_000);
    return new String(c.in().readNBytes(b.length), StandardCharsets.UTF_8);
  }

  @Test
  void refusedStreamsLeaveTheirNeighboursAlone() throws Exception {
    TransportOptions t = Loopback.transport(HTTP);
    ServerStack server = ServerStack.create(Loopback.serverTls(certs), t, "inbounds[0]");
    try (Loopback lb = new Loopback(server, Loopback.echo())) {
      // every stream on one session (one TLS connection)
      H2Client client = new H2Client("hostile", null, null, false);
      Dial tls = () -> sharedCarrier(lb);
      Conn good = client.open(tls, request("PUT", "https://a.test/h2/x", null));
      assertThat(exchange(good, "before")).isEqualTo("before");
      for (MetaData.Request bad :
          new MetaData.Request[] {
            request("PUT", "https://a.test/nope", null),
            request("PUT", "https://evil.test/h2", null)
          }) {
        Conn c = client.open(tls, bad);
        c.setReadTimeout(10_000);
        assertThatThrownBy(() -> c.in().read()).hasMessageContaining("answered 4");
        c.close();
      }
      assertThat(exchange(good, "after")).isEqualTo("after");
      good.close();
      assertThat(lb.accepted.get()).isEqualTo(1);
    }
  }

  private static Conn sharedCarrier(Loopback lb) throws IOException {
    return dev.umbra.tls.TlsClient.create(
            dev.umbra.transport.AlpnForTests.h2(Loopback.clientTls(certs)), "tls")
        .wrap(lb.dial().dial(), "localhost");
  }

  @Test
  void aMalformedGunMessageClosesOnlyItsStream() throws Exception {
    TransportOptions t = Loopback.transport("{\"type\": \"grpc\", \"service_name\": \"svc\"}");
    ServerStack server = ServerStack.create(null, t, "inbounds[0]");
    try (Loopback lb = new Loopback(server, Loopback.echo())) {
      H2Client client = new H2Client("hostile-grpc", null, null, false);
      MetaData.Request req = request("POST", "http://127.0.0.1/svc/Tun", "application/grpc");
      Conn good = client.open(lb.dial(), req);
      byte[] hello = dev.umbra.transport.grpc.Gun.encode("hello".getBytes(), 0, 5);
      good.out().write(hello);
      good.setReadTimeout(10_000);
      assertThat(good.in().readNBytes(hello.length)).isEqualTo(hello);
      Conn bad = client.open(lb.dial(), req);
      // compressed flag set, then a varint that never ends
      bad.out().write(new byte[] {1, 0, 0, 0, 3, 10, (byte) 0xff, (byte) 0xff});
      bad.setReadTimeout(10_000);
      assertThatThrownBy(() -> bad.in().readAllBytes()).isInstanceOf(IOException.class);
      bad.close();
      good.out().write(hello);
      assertThat(good.in().readNBytes(hello.length)).isEqualTo(hello);
      good.close();
      assertThat(lb.accepted.get()).isEqualTo(1);
    }
  }
}
