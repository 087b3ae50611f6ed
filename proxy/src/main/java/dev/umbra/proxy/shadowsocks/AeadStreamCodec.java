package dev.umbra.proxy.shadowsocks;

import javax.crypto.AEADBadTagException;

/**
 * Shadowsocks AEAD stream framing, bytes in and out, no I/O: each chunk is {@code
 * seal(length:u16be) || seal(payload)} with one nonce per seal (SIP004; SIP022 uses the same layout
 * with larger chunks).
 */
public final class AeadStreamCodec {
  /** SIP004 limit: the top two bits of the length are reserved. */
  public static final int MAX_PAYLOAD_AEAD = 0x3FFF;

  /** SIP022 limit. */
  public static final int MAX_PAYLOAD_2022 = 0xFFFF;

  public static final int TAG = AeadCipher.TAG_SIZE;

  /** Bytes a chunk adds around its payload. */
  public static final int OVERHEAD = 2 + TAG + TAG;

  private final AeadCipher cipher;
  private final int maxPayload;

  public AeadStreamCodec(AeadCipher cipher, int maxPayload) {
    this.cipher = cipher;
    this.maxPayload = maxPayload;
  }

  public int maxPayload() {
    return maxPayload;
  }

  /** Space {@link #seal} needs for {@code len} plaintext bytes. */
  public int sealedSize(int len) {
    int chunks = Math.max(1, (len + maxPayload - 1) / maxPayload);
    return len + chunks * OVERHEAD;
  }

  /** Seals {@code len} bytes as one or more chunks into {@code dst}; returns bytes written. */
  public int seal(byte[] src, int off, int len, byte[] dst, int dstOff) {
    int written = 0;
    do {
      int n = Math.min(len, maxPayload);
      written += sealChunk(src, off, n, dst, dstOff + written);
      off += n;
      len -= n;
    } while (len > 0);
    return written;
  }

  /** Seals exactly one chunk of at most {@link #maxPayload()} bytes. */
  public int sealChunk(byte[] src, int off, int len, byte[] dst, int dstOff) {
    if (len > maxPayload) {
      throw new IllegalArgumentException("chunk of " + len + " exceeds " + maxPayload);
    }
    // Length first (it takes the lower nonce), sealed in place. src and dst must not overlap.
    dst[dstOff] = (byte) (len >>> 8);
    dst[dstOff + 1] = (byte) len;
    int l = cipher.seal(dst, dstOff, 2, dst, dstOff);
    return l + cipher.seal(src, off, len, dst, dstOff + l);
  }

  /** Seals bytes without a length prefix (SIP022 fixed and variable request headers). */
  public int sealRaw(byte[] src, int off, int len, byte[] dst, int dstOff) {
    return cipher.seal(src, off, len, dst, dstOff);
  }

  /**
   * Opens the {@code 2 + TAG} bytes of a sealed length (in place: they are consumed); returns the
   * payload length.
   */
  public int openLength(byte[] buf, int off) throws AEADBadTagException, ShadowsocksException {
    cipher.open(buf, off, 2 + TAG, buf, off);
    int len = (buf[off] & 0xff) << 8 | (buf[off + 1] & 0xff);
    if (len > maxPayload) {
      throw new ShadowsocksException("chunk length " + len + " exceeds " + maxPayload);
    }
    return len;
  }

  /** Opens {@code len + TAG} sealed bytes into {@code dst} (in place or not overlapping). */
  public int openPayloadInto(byte[] src, int off, int len, byte[] dst, int dstOff)
      throws AEADBadTagException {
    return cipher.open(src, off, len + TAG, dst, dstOff);
  }

  /** Opens {@code len + TAG} sealed bytes in place; returns {@code len}. */
  public int openPayload(byte[] buf, int off, int len) throws AEADBadTagException {
    return cipher.open(buf, off, len + TAG, buf, off);
  }
}
