package dev.umbra.crypto;

/**
 * HChaCha20 (draft-irtf-cfrg-xchacha §2.2): derives a 256-bit subkey from a key and a 128-bit nonce
 * with the ChaCha20 core, for XChaCha20. The JDK has ChaCha20 but not this step.
 */
public final class HChaCha20 {
  private HChaCha20() {}

  /** Returns the 32-byte subkey for a 32-byte key and the first 16 bytes of {@code nonce}. */
  public static byte[] subkey(byte[] key, byte[] nonce) {
    if (key.length != 32 || nonce.length < 16) {
      throw new IllegalArgumentException("HChaCha20 needs a 32-byte key and a 16-byte nonce");
    }
    int[] s = new int[16];
    s[0] = 0x61707865;
    s[1] = 0x3320646e;
    s[2] = 0x79622d32;
    s[3] = 0x6b206574;
    for (int i = 0; i < 8; i++) {
      s[4 + i] = le32(key, i * 4);
    }
    for (int i = 0; i < 4; i++) {
      s[12 + i] = le32(nonce, i * 4);
    }
    for (int round = 0; round < 10; round++) {
      quarter(s, 0, 4, 8, 12);
      quarter(s, 1, 5, 9, 13);
      quarter(s, 2, 6, 10, 14);
      quarter(s, 3, 7, 11, 15);
      quarter(s, 0, 5, 10, 15);
      quarter(s, 1, 6, 11, 12);
      quarter(s, 2, 7, 8, 13);
      quarter(s, 3, 4, 9, 14);
    }
    byte[] out = new byte[32];
    // No feed-forward: the first and last rows of the state are the subkey.
    for (int i = 0; i < 4; i++) {
      putLe32(out, i * 4, s[i]);
      putLe32(out, 16 + i * 4, s[12 + i]);
    }
    return out;
  }

  private static void quarter(int[] s, int a, int b, int c, int d) {
    s[a] += s[b];
    s[d] = Integer.rotateLeft(s[d] ^ s[a], 16);
    s[c] += s[d];
    s[b] = Integer.rotateLeft(s[b] ^ s[c], 12);
    s[a] += s[b];
    s[d] = Integer.rotateLeft(s[d] ^ s[a], 8);
    s[c] += s[d];
    s[b] = Integer.rotateLeft(s[b] ^ s[c], 7);
  }

  private static int le32(byte[] b, int off) {
    return (b[off] & 0xff)
        | (b[off + 1] & 0xff) << 8
        | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  private static void putLe32(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }
}
