package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** {@code generate tls-keypair NAME [-m N]} prints a PKCS#8 key and its self-signed certificate. */
class GenerateTlsKeypairTest {
  @Test
  void printsAKeyAndACertificateForItForTheGivenMonths() throws Exception {
    var r = CliRunner.run("generate", "tls-keypair", "proxy.example", "-m", "2");
    assertThat(r.code()).as(r.stderr()).isZero();
    String out = r.out();
    assertThat(out).startsWith("-----BEGIN PRIVATE KEY-----\n");
    String key = block(out, "PRIVATE KEY");
    String cert = block(out, "CERTIFICATE");
    X509Certificate c =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(Base64.getMimeDecoder().decode(cert)));
    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=proxy.example");
    Duration valid = Duration.between(Instant.now(), c.getNotAfter().toInstant());
    assertThat(valid).isBetween(Duration.ofDays(58), Duration.ofDays(63));
    // the key is the certificate's
    var pk =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(key)));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(pk);
    s.update("x".getBytes(StandardCharsets.US_ASCII));
    byte[] sig = s.sign();
    s.initVerify(c);
    s.update("x".getBytes(StandardCharsets.US_ASCII));
    assertThat(s.verify(sig)).isTrue();
  }

  @Test
  void badMonthsAreRefused() {
    var r = CliRunner.run("generate", "tls-keypair", "a.example", "--months", "0");
    assertThat(r.code()).isNotZero();
    assertThat(r.stderr()).contains("months must be 1 to 1200");
  }

  private static String block(String text, String label) {
    int begin = text.indexOf("-----BEGIN " + label + "-----") + label.length() + 16;
    return text.substring(begin, text.indexOf("-----END " + label + "-----"));
  }
}
