package dev.umbra.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) on raw 32-byte little-endian keys, as WireGuard and Noise carry them, over the
 * JDK's XDH provider.
 */
public final class X25519 {
  public static final int KEY_SIZE = 32;
  private static final byte[] BASE_POINT = basePoint();
  private static final SecureRandom RANDOM = new SecureRandom();

  private X25519() {}

  /** A fresh private key, clamped as WireGuard's tools write it. */
  public static byte[] generatePrivateKey() {
    byte[] k = new byte[KEY_SIZE];
    RANDOM.nextBytes(k);
    k[0] &= (byte) 248;
    k[31] &= 127;
    k[31] |= 64;
    return k;
  }

  public static byte[] publicKey(byte[] privateKey) {
    try {
      return sharedSecret(privateKey, BASE_POINT);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 base point multiplication failed", e);
    }
  }

  /**
   * The shared secret for a private key and a peer's public key. Throws when the result is all
   * zeros (a low-order peer key), which callers must treat as a failed handshake.
   */
  public static byte[] sharedSecret(byte[] privateKey, byte[] publicKey)
      throws GeneralSecurityException {
    if (privateKey.length != KEY_SIZE || publicKey.length != KEY_SIZE) {
      throw new GeneralSecurityException("X25519 keys are 32 bytes");
    }
    KeyFactory kf = KeyFactory.getInstance("XDH");
    PrivateKey sk =
        kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.clone()));
    byte[] be = new byte[KEY_SIZE];
    for (int i = 0; i < KEY_SIZE; i++) {
      be[i] = publicKey[KEY_SIZE - 1 - i];
    }
    be[0] &= 0x7f; // RFC 7748: the top bit of u is ignored
    PublicKey pk =
        kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
    KeyAgreement ka = KeyAgreement.getInstance("XDH");
    ka.init(sk);
    ka.doPhase(pk, true);
    byte[] secret = ka.generateSecret();
    int acc = 0;
    for (byte b : secret) {
      acc |= b;
    }
    if (acc == 0) {
      throw new GeneralSecurityException("X25519 produced the all-zero secret");
    }
    return secret;
  }

  private static byte[] basePoint() {
    byte[] b = new byte[KEY_SIZE];
    b[0] = 9;
    return b;
  }
}
