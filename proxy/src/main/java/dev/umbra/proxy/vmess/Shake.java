package dev.umbra.proxy.vmess;

import org.bouncycastle.crypto.digests.SHAKEDigest;

/** SHAKE128 of a nonce as a stream of big-endian u16 values (length masks, padding lengths). */
final class Shake {
  private final SHAKEDigest digest = new SHAKEDigest(128);
  private final byte[] buf = new byte[2];

  Shake(byte[] seed) {
    digest.update(seed, 0, seed.length);
  }

  int next() {
    digest.doOutput(buf, 0, 2);
    return ((buf[0] & 0xff) << 8) | (buf[1] & 0xff);
  }
}
