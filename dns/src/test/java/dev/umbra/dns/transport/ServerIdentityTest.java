package dev.umbra.dns.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.testkit.TestCerts;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate name check used for QUIC in place of kwik's (which knows no IP SANs). */
class ServerIdentityTest {
  @TempDir Path dir;

  @Test
  void dnsNamesAndWildcards() {
    assertThat(ServerIdentity.dnsMatches("dns.example", "DNS.example")).isTrue();
    assertThat(ServerIdentity.dnsMatches("dns.example.", "dns.example")).isTrue();
    assertThat(ServerIdentity.dnsMatches("*.example.org", "a.example.org")).isTrue();
    assertThat(ServerIdentity.dnsMatches("*.example.org", "a.b.example.org")).isFalse();
    assertThat(ServerIdentity.dnsMatches("*.example.org", "example.org")).isFalse();
    assertThat(ServerIdentity.dnsMatches("*.org", "example.org")).isFalse();
    assertThat(ServerIdentity.dnsMatches("a*.example.org", "ab.example.org")).isFalse();
  }

  @Test
  void ipAddressesMatchOnlyIpSans() throws Exception {
    TestCerts certs = TestCerts.create(dir); // SAN DNS:localhost, IP:127.0.0.1
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(certs.certificate())) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    assertThat(ServerIdentity.matches(cert, "localhost")).isTrue();
    assertThat(ServerIdentity.matches(cert, "LOCALHOST.")).isTrue();
    assertThat(ServerIdentity.matches(cert, "127.0.0.1")).isTrue();
    assertThat(ServerIdentity.matches(cert, "127.0.0.2")).isFalse();
    assertThat(ServerIdentity.matches(cert, "::1")).isFalse();
    assertThat(ServerIdentity.matches(cert, "other.test")).isFalse();

    X509TrustManager anyChain =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    X509Certificate[] chain = {cert};
    new ServerIdentity(anyChain, "127.0.0.1", true).checkServerTrusted(chain, "RSA");
    assertThatThrownBy(
            () -> new ServerIdentity(anyChain, "other.test", true).checkServerTrusted(chain, "RSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("other.test");
    // insecure or pinned: the name is not checked
    new ServerIdentity(anyChain, "other.test", false).checkServerTrusted(chain, "RSA");
  }
}
