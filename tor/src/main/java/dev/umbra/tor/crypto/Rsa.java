package dev.umbra.tor.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import javax.crypto.Cipher;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * RSA as Tor uses it: identities are SHA-1 of the PKCS#1 DER public key, and signatures are PKCS#1
 * v1.5 over a raw digest without a DigestInfo wrapper.
 */
public final class Rsa {
  private Rsa() {}

  /** The PKCS#1 RSAPublicKey DER encoding of a JCA key. */
  public static byte[] pkcs1(PublicKey key) {
    try {
      return SubjectPublicKeyInfo.getInstance(key.getEncoded()).parsePublicKey().getEncoded();
    } catch (IOException e) {
      throw new IllegalArgumentException("not an RSA key", e);
    }
  }

  /** Parses a PKCS#1 RSAPublicKey DER. */
  public static RSAPublicKey fromPkcs1(byte[] der) throws GeneralSecurityException {
    try {
      org.bouncycastle.asn1.pkcs.RSAPublicKey k =
          org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(ASN1Primitive.fromByteArray(der));
      BigInteger n = k.getModulus();
      BigInteger e = k.getPublicExponent();
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
    } catch (IOException | IllegalArgumentException e) {
      throw new GeneralSecurityException("bad PKCS#1 RSA public key", e);
    }
  }

  /** SHA-1 of the PKCS#1 encoding: the relay (or authority) RSA identity. */
  public static byte[] identity(PublicKey key) {
    return sha1(pkcs1(key));
  }

  /** True when {@code signature} is a PKCS#1 v1.5 signature of the raw {@code digest}. */
  public static boolean verifyRaw(PublicKey key, byte[] signature, byte[] digest) {
    try {
      Cipher c = Cipher.getInstance("RSA/ECB/PKCS1Padding");
      c.init(Cipher.DECRYPT_MODE, key);
      byte[] got = c.doFinal(signature);
      return MessageDigest.isEqual(got, digest);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static byte[] sha1(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(b);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
