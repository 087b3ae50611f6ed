package dev.umbra.tls;

import dev.umbra.core.net.Destination;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * A self-signed server certificate for one name, as sing-box makes for {@code generate tls-keypair}
 * and for an {@code insecure} TLS server without a certificate: RSA 2048 signed with SHA-256, a
 * random 128-bit serial, valid from an hour ago, key usages digital signature and key encipherment,
 * extended key usage server authentication, and the name as common name and subject alternative
 * name (an iPAddress entry for an IP literal).
 */
public record SelfSignedCertificate(PrivateKey key, X509Certificate certificate) {
  private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";

  public static SelfSignedCertificate generate(String serverName, Instant now, Instant notAfter)
      throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generate(serverName, generator.generateKeyPair(), now, notAfter);
  }

  /** A certificate for {@code pair}'s public key, signed by its private key. */
  static SelfSignedCertificate generate(
      String serverName, KeyPair pair, Instant now, Instant notAfter)
      throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    byte[] algorithm = Der.sequence(Der.oid(SHA256_WITH_RSA), Der.nul());
    byte[] name = Der.sequence(Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8(serverName))));
    byte[] tbs =
        Der.sequence(
            Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
            Der.integer(new BigInteger(128, random)),
            algorithm,
            name,
            Der.sequence(Der.time(now.minus(Duration.ofHours(1))), Der.time(notAfter)),
            name,
            pair.getPublic().getEncoded(),
            Der.explicit(3, Der.sequence(extensions(serverName))));
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(pair.getPrivate(), random);
    signer.update(tbs);
    byte[] der = Der.sequence(tbs, algorithm, Der.bitString(0, signer.sign()));
    X509Certificate cert =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    return new SelfSignedCertificate(pair.getPrivate(), cert);
  }

  private static byte[][] extensions(String serverName) {
    // keyUsage: digitalSignature (bit 0) and keyEncipherment (bit 2), 5 unused bits
    byte[] keyUsage = Der.bitString(5, new byte[] {(byte) 0xa0});
    byte[] serverAuth = Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"));
    byte[] notCa = Der.sequence();
    return new byte[][] {
      extension("2.5.29.15", true, keyUsage),
      extension("2.5.29.37", false, serverAuth),
      extension("2.5.29.19", true, notCa),
      extension("2.5.29.17", false, Der.sequence(alternativeName(serverName)))
    };
  }

  private static byte[] alternativeName(String serverName) {
    java.net.InetAddress ip = Destination.IpLiterals.parse(serverName);
    if (ip != null) {
      return Der.tlv(0x87, ip.getAddress()); // [7] iPAddress
    }
    return Der.tlv(0x82, serverName.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical
        ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
        : Der.sequence(Der.oid(oid), Der.octetString(value));
  }

  /** The private key as a PKCS#8 {@code PRIVATE KEY} PEM block. */
  public String keyPem() {
    return Pem.encode("PRIVATE KEY", key.getEncoded());
  }

  /** The certificate as a {@code CERTIFICATE} PEM block. */
  public String certificatePem() {
    try {
      return Pem.encode("CERTIFICATE", certificate.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
