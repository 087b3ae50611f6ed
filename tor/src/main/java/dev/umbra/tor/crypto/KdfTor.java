package dev.umbra.tor.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * KDF-TOR (tor-spec "KDF-TOR"): K = H(K0 | [00]) | H(K0 | [01]) | ... with SHA-1. Only the legacy
 * CREATE_FAST and TAP handshakes use it; kept for completeness and checked with the spec's vectors.
 */
public final class KdfTor {
  private KdfTor() {}

  public static byte[] expand(byte[] seed, int length) {
    if (length > 20 * 256) {
      throw new IllegalArgumentException("KDF-TOR output too long");
    }
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] out = new byte[length];
      for (int i = 0, done = 0; done < length; i++) {
        sha1.update(seed);
        sha1.update((byte) i);
        byte[] h = sha1.digest();
        int n = Math.min(h.length, length - done);
        System.arraycopy(h, 0, out, done, n);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
