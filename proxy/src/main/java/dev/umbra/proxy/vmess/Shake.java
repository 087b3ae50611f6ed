package dev.umbra.proxy.vmess;

import org.bouncycastle.crypto.digests.SHAKEDigest;

/**
 * SHAKE128 of a nonce as a stream of big-endian u16 values (length masks, padding lengths). Every
 * chunk takes one or two values, so the output is squeezed a whole rate block (168 bytes) at a
 * time: squeezing two bytes per call cost the chunk reader as much as its length parsing.
 */
final class Shake {
  private static final int BLOCK = 168; // SHAKE128's rate
  private final SHAKEDigest digest = new SHAKEDigest(128);
  private final byte[] buf = new byte[BLOCK];
  private int pos = BLOCK;

  Shake(byte[] seed) {
    digest.update(seed, 0, seed.length);
  }

  int next() {
    if (pos == BLOCK) {
      digest.doOutput(buf, 0, BLOCK);
      pos = 0;
    }
    int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
    pos += 2;
    return v;
  }
}
