package dev.umbra.tor.channel;

import dev.umbra.tor.cell.Bytes;
import dev.umbra.tor.cell.CertsCell;
import dev.umbra.tor.cell.TorProtocolException;
import dev.umbra.tor.crypto.Rsa;
import dev.umbra.tor.crypto.TorCert;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;

/**
 * Checks a responder's CERTS cell as an initiator must (tor-spec "validating a relay's CERTS"): the
 * self-signed RSA identity certificate, the RSA→Ed25519 cross-certificate, the Ed25519
 * identity→signing certificate and the signing→TLS-link certificate whose subject is the SHA-256 of
 * the TLS certificate the peer presented. Yields the relay's two identities.
 */
public final class CertsValidator {
  private static final byte[] CROSSCERT_PREFIX =
      "Tor TLS RSA/Ed25519 cross-certificate".getBytes(StandardCharsets.US_ASCII);

  /** The identities the CERTS cell proved. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Identities(byte[] rsaId, byte[] ed25519Id) {}

  private CertsValidator() {}

  public static Identities validate(CertsCell certs, byte[] tlsCertDer, Instant now)
      throws TorProtocolException {
    // RSA identity: a self-signed X.509 certificate with a 1024-bit key.
    X509Certificate idCert;
    PublicKey rsaKey;
    try {
      idCert =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(certs.single(CertsCell.RSA_ID)));
      rsaKey = idCert.getPublicKey();
      if (!(rsaKey instanceof RSAPublicKey rk) || rk.getModulus().bitLength() > 1024) {
        throw new TorProtocolException("CERTS: RSA identity key is not RSA-1024");
      }
      idCert.verify(rsaKey);
    } catch (GeneralSecurityException e) {
      throw new TorProtocolException("CERTS: bad RSA identity certificate", e);
    }
    byte[] rsaId = Rsa.identity(rsaKey);

    // Ed25519 identity -> signing key.
    TorCert idToSigning = TorCert.parse(certs.single(CertsCell.ED_ID_SIGNING));
    if (idToSigning.certType() != TorCert.TYPE_ID_SIGNING
        || idToSigning.certifiedKeyType() != TorCert.KEY_ED25519
        || idToSigning.signingKey() == null) {
      throw new TorProtocolException("CERTS: malformed Ed25519 identity certificate");
    }
    byte[] edId = idToSigning.signingKey();
    if (!idToSigning.verifiedBy(edId)) {
      throw new TorProtocolException("CERTS: Ed25519 identity certificate signature is bad");
    }
    expiryCheck(idToSigning.expires(), now, "Ed25519 identity certificate");

    // Signing key -> TLS link certificate.
    TorCert signingToLink = TorCert.parse(certs.single(CertsCell.ED_SIGNING_LINK));
    if (signingToLink.certType() != TorCert.TYPE_SIGNING_LINK
        || signingToLink.certifiedKeyType() != TorCert.KEY_SHA256_X509) {
      throw new TorProtocolException("CERTS: malformed signing-to-link certificate");
    }
    if (!signingToLink.verifiedBy(idToSigning.certifiedKey())) {
      throw new TorProtocolException("CERTS: link certificate signature is bad");
    }
    expiryCheck(signingToLink.expires(), now, "link certificate");
    if (!MessageDigest.isEqual(sha256(tlsCertDer), signingToLink.certifiedKey())) {
      throw new TorProtocolException("CERTS: link certificate does not match the TLS certificate");
    }

    // RSA -> Ed25519 cross-certificate: ties both identities together.
    Bytes r = new Bytes(certs.single(CertsCell.RSA_ED_CROSSCERT), "RSA crosscert");
    byte[] crossKey = r.take(32);
    long crossExpHours = r.u32();
    int sigLen = r.u8();
    byte[] sig = r.take(sigLen);
    if (r.remaining() != 0) {
      throw new TorProtocolException("RSA crosscert: trailing bytes");
    }
    byte[] signed = new byte[CROSSCERT_PREFIX.length + 36];
    System.arraycopy(CROSSCERT_PREFIX, 0, signed, 0, CROSSCERT_PREFIX.length);
    System.arraycopy(crossKey, 0, signed, CROSSCERT_PREFIX.length, 32);
    byte[] exp = {
      (byte) (crossExpHours >>> 24),
      (byte) (crossExpHours >>> 16),
      (byte) (crossExpHours >>> 8),
      (byte) crossExpHours
    };
    System.arraycopy(exp, 0, signed, CROSSCERT_PREFIX.length + 32, 4);
    if (!Arrays.equals(crossKey, edId)) {
      throw new TorProtocolException("CERTS: cross-certificate names another Ed25519 identity");
    }
    if (!Rsa.verifyRaw(rsaKey, sig, sha256(signed))) {
      throw new TorProtocolException("CERTS: RSA cross-certificate signature is bad");
    }
    expiryCheck(Instant.ofEpochSecond(crossExpHours * 3600), now, "RSA cross-certificate");
    return new Identities(rsaId, edId);
  }

  private static void expiryCheck(Instant expires, Instant now, String what)
      throws TorProtocolException {
    if (expires.isBefore(now)) {
      throw new TorProtocolException("CERTS: " + what + " expired at " + expires);
    }
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
