package dev.umbra.proxy.vmess;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The VMess AEAD key derivation: HMAC-SHA256 keyed with "VMess AEAD KDF", each path element
 * wrapping the previous construction as the hash of a new HMAC (block size 64).
 */
public final class VmessKdf {
  private static final int BLOCK = 64;

  private VmessKdf() {}

  public static byte[] kdf(byte[] key, byte[]... path) {
    UnaryOperator<byte[]> h = VmessKdf::sha256;
    h = hmac(h, "VMess AEAD KDF".getBytes(StandardCharsets.US_ASCII));
    for (byte[] p : path) {
      h = hmac(h, p);
    }
    return h.apply(key);
  }

  public static byte[] kdf(byte[] key, String... path) {
    byte[][] p = new byte[path.length][];
    for (int i = 0; i < path.length; i++) {
      p[i] = path[i].getBytes(StandardCharsets.US_ASCII);
    }
    return kdf(key, p);
  }

  public static byte[] kdf16(byte[] key, String... path) {
    return Arrays.copyOf(kdf(key, path), 16);
  }

  /** HMAC over an arbitrary hash {@code h} of block size 64. */
  private static UnaryOperator<byte[]> hmac(UnaryOperator<byte[]> h, byte[] key) {
    byte[] k = key.length > BLOCK ? h.apply(key) : key;
    byte[] ipad = new byte[BLOCK];
    byte[] opad = new byte[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
      byte b = i < k.length ? k[i] : 0;
      ipad[i] = (byte) (b ^ 0x36);
      opad[i] = (byte) (b ^ 0x5c);
    }
    return m -> {
      byte[] inner = h.apply(concat(ipad, m));
      return h.apply(concat(opad, inner));
    };
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static byte[] sha256(byte[] m) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(m);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
