package dev.umbra.tls;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** PEM certificates and private keys (PKCS#8, and PKCS#1 RSA wrapped into PKCS#8). */
final class Pem {
  private Pem() {}

  /** One PEM block: its label and DER bytes (never handed out beyond this package). */
  @SuppressWarnings("ArrayRecordComponent")
  record Block(String label, byte[] der) {}

  static List<Block> blocks(String text) {
    List<Block> out = new ArrayList<>();
    int pos = 0;
    while (true) {
      int begin = text.indexOf("-----BEGIN ", pos);
      if (begin < 0) {
        return out;
      }
      int labelEnd = text.indexOf("-----", begin + 11);
      if (labelEnd < 0) {
        throw new IllegalArgumentException("malformed PEM header");
      }
      String label = text.substring(begin + 11, labelEnd);
      String endMarker = "-----END " + label + "-----";
      int end = text.indexOf(endMarker, labelEnd);
      if (end < 0) {
        throw new IllegalArgumentException("PEM block '" + label + "' has no END line");
      }
      String body = text.substring(labelEnd + 5, end).replaceAll("\\s", "");
      try {
        out.add(new Block(label, Base64.getDecoder().decode(body)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("PEM block '" + label + "' is not valid base64", e);
      }
      pos = end + endMarker.length();
    }
  }

  static List<X509Certificate> certificates(String text) throws GeneralSecurityException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    for (Block b : blocks(text)) {
      if (b.label().equals("CERTIFICATE")) {
        out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no CERTIFICATE block found");
    }
    return out;
  }

  static PrivateKey privateKey(String text) throws GeneralSecurityException {
    for (Block b : blocks(text)) {
      byte[] pkcs8 =
          switch (b.label()) {
            case "PRIVATE KEY" -> b.der();
            case "RSA PRIVATE KEY" -> wrapPkcs1(b.der());
            case "EC PRIVATE KEY" ->
                throw new IllegalArgumentException(
                    "SEC1 'EC PRIVATE KEY' is not supported yet; convert it with: openssl pkcs8 -topk8 -nocrypt");
            case "ENCRYPTED PRIVATE KEY" ->
                throw new IllegalArgumentException("encrypted private keys are not supported");
            default -> null;
          };
      if (pkcs8 == null) {
        continue;
      }
      for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException tryNext) {
          // not this algorithm
        }
      }
      throw new IllegalArgumentException("unrecognised private key algorithm");
    }
    throw new IllegalArgumentException("no PRIVATE KEY block found");
  }

  /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo with the rsaEncryption identifier. */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    return Der.sequence(
        Der.integer(java.math.BigInteger.ZERO),
        Der.sequence(Der.oid("1.2.840.113549.1.1.1"), Der.nul()),
        Der.octetString(pkcs1));
  }

  /** One PEM block with 64-character lines, ending in a newline. */
  static String encode(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + java.util.Base64.getMimeEncoder(
                64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  static String joinLines(List<String> lines) {
    return String.join("\n", lines);
  }
}
