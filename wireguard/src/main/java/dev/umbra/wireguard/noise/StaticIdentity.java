package dev.umbra.wireguard.noise;

import dev.umbra.crypto.X25519;
import java.util.Base64;

/** A WireGuard static key pair. */
public record StaticIdentity(byte[] privateKey, byte[] publicKey) {
  public StaticIdentity {
    if (privateKey.length != 32 || publicKey.length != 32) {
      throw new IllegalArgumentException("WireGuard keys are 32 bytes");
    }
    privateKey = privateKey.clone();
    publicKey = publicKey.clone();
  }

  public static StaticIdentity of(byte[] privateKey) {
    return new StaticIdentity(privateKey, X25519.publicKey(privateKey));
  }

  public static StaticIdentity generate() {
    return of(X25519.generatePrivateKey());
  }

  /** Decodes a standard base64 key as {@code wg genkey} writes it. */
  public static byte[] decodeKey(String base64) {
    byte[] k;
    try {
      k = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key is not valid base64", e);
    }
    if (k.length != 32) {
      throw new IllegalArgumentException("key must decode to 32 bytes, got " + k.length);
    }
    return k;
  }

  public static String encodeKey(byte[] key) {
    return Base64.getEncoder().encodeToString(key);
  }

  @Override
  public byte[] privateKey() {
    return privateKey.clone();
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  @Override
  public String toString() {
    return "StaticIdentity[" + encodeKey(publicKey) + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StaticIdentity s && java.util.Arrays.equals(publicKey, s.publicKey);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(publicKey);
  }
}
