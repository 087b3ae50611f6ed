package dev.umbra.crypto;

import javax.crypto.AEADBadTagException;

/**
 * An AEAD with 16-byte tags that seals and opens into caller buffers, with no allocation per call.
 * {@code aad} may be null. Input and output may be the same array at the same offset (in place);
 * other overlaps are not allowed. Instances keep per-call state: one per thread (or per direction
 * of a connection).
 */
public interface Aead {
  int TAG_SIZE = 16;

  int nonceSize();

  /**
   * Encrypts {@code len} bytes into {@code out[outOff..]} followed by the tag; returns len + 16.
   */
  int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff);

  /**
   * Opens {@code len} bytes (ciphertext then tag) into {@code out[outOff..]}; returns len - 16. On
   * a wrong tag it throws, and what {@code out} then holds is unspecified (callers drop it).
   */
  int open(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException;
}
