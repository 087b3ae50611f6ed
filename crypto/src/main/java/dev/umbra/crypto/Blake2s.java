package dev.umbra.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * BLAKE2s as the Noise and WireGuard specs use it: the 256-bit hash, keyed BLAKE2s-128 (WireGuard's
 * MAC), HMAC-BLAKE2s and the HKDF built on it. The JDK has no BLAKE2, so this wraps BouncyCastle.
 */
public final class Blake2s {
  public static final int HASH_SIZE = 32;
  public static final int MAC_SIZE = 16;

  private Blake2s() {}

  /** BLAKE2s-256 of the concatenation of {@code parts}. */
  public static byte[] hash(byte[]... parts) {
    Blake2sDigest d = new Blake2sDigest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[HASH_SIZE];
    d.doFinal(out, 0);
    return out;
  }

  /** Keyed BLAKE2s with a 16-byte output over {@code data[off, off+len)}. */
  public static byte[] mac(byte[] key, byte[] data, int off, int len) {
    Blake2sDigest d = new Blake2sDigest(key, MAC_SIZE, null, null);
    d.update(data, off, len);
    byte[] out = new byte[MAC_SIZE];
    d.doFinal(out, 0);
    return out;
  }

  /** HMAC-BLAKE2s-256 of the concatenation of {@code parts}. */
  public static byte[] hmac(byte[] key, byte[]... parts) {
    HMac m = new HMac(new Blake2sDigest(256));
    m.init(new KeyParameter(key));
    for (byte[] p : parts) {
      m.update(p, 0, p.length);
    }
    byte[] out = new byte[HASH_SIZE];
    m.doFinal(out, 0);
    return out;
  }

  /**
   * The Noise HKDF over HMAC-BLAKE2s: returns {@code n} (1 to 3) 32-byte outputs T1..Tn where
   * {@code Ti = HMAC(prk, T(i-1) || i)} and {@code prk = HMAC(chainingKey, input)}.
   */
  public static byte[][] kdf(int n, byte[] chainingKey, byte[] input) {
    if (n < 1 || n > 3) {
      throw new IllegalArgumentException("kdf yields 1 to 3 outputs");
    }
    byte[] prk = hmac(chainingKey, input);
    byte[][] out = new byte[n][];
    byte[] prev = new byte[0];
    for (int i = 0; i < n; i++) {
      prev = hmac(prk, prev, new byte[] {(byte) (i + 1)});
      out[i] = prev;
    }
    java.util.Arrays.fill(prk, (byte) 0);
    return out;
  }
}
