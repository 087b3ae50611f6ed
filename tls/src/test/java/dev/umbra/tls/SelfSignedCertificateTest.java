package dev.umbra.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate sing-box's {@code generate tls-keypair} makes, checked by the JDK and openssl.
 */
class SelfSignedCertificateTest {
  @Test
  void fieldsAreThoseOfSingBoxsCertificate() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = now.plus(Duration.ofDays(30));
    SelfSignedCertificate pair = SelfSignedCertificate.generate("proxy.example", now, notAfter);
    X509Certificate c = pair.certificate();
    c.checkValidity();
    c.verify(c.getPublicKey()); // self-signed, and the signature is right
    assertThat(c.getVersion()).isEqualTo(3);
    assertThat(c.getSigAlgName()).isEqualTo("SHA256withRSA");
    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=proxy.example");
    assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
    assertThat(c.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofHours(1)));
    assertThat(c.getNotAfter().toInstant()).isEqualTo(notAfter);
    assertThat(c.getSerialNumber().bitLength()).isBetween(100, 128);
    assertThat(c.getKeyUsage()).startsWith(true, false, true); // digitalSignature, keyEncipherment
    assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(c.getBasicConstraints()).isEqualTo(-1); // not a CA
    assertThat(c.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.15", "2.5.29.19");
    assertThat(c.getSubjectAlternativeNames()).containsExactly(List.of(2, "proxy.example"));
    assertThat(pair.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(Pem.privateKey(pair.keyPem())).isEqualTo(pair.key());
    assertThat(Pem.certificates(pair.certificatePem())).containsExactly(c);
  }

  @Test
  void anIpLiteralBecomesAnIpAddressName() throws Exception {
    Instant now = Instant.now();
    X509Certificate c =
        SelfSignedCertificate.generate("127.0.0.1", now, now.plusSeconds(3600)).certificate();
    assertThat(c.getSubjectAlternativeNames()).containsExactly(List.of(7, "127.0.0.1"));
  }

  @Test
  void opensslReadsItAndItsDates(@TempDir Path dir) throws Exception {
    Instant now = Instant.now();
    SelfSignedCertificate pair =
        SelfSignedCertificate.generate("a.example", now, Instant.parse("2061-01-01T00:00:00Z"));
    Path cert = dir.resolve("c.pem");
    Files.writeString(cert, pair.certificatePem());
    Process p =
        new ProcessBuilder("openssl", "x509", "-in", cert.toString(), "-noout", "-text")
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(text).isZero();
    // 2061 is past UTCTime's range, so the end date is a GeneralizedTime
    assertThat(text)
        .contains("Not After : Jan  1 00:00:00 2061 GMT")
        .contains("DNS:a.example")
        .contains("TLS Web Server Authentication")
        .contains("Digital Signature, Key Encipherment")
        .contains("CA:FALSE");
  }
}
