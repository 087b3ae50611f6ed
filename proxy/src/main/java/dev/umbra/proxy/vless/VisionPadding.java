package dev.umbra.proxy.vless;

import java.util.random.RandomGenerator;

/**
 * XTLS Vision padding blocks (Xray-core proxy/proxy.go XtlsPadding): {@code [uuid(16), first block
 * of a direction only] command(1) content_len(u16 BE) padding_len(u16 BE) content padding}, with
 * commands continue (0), end (1: raw bytes follow inside the outer TLS) and direct (2: raw bytes
 * follow below it). Padding uses the default test seed {900, 500, 900, 256}. Bytes only.
 */
public final class VisionPadding {
  public static final int CONTINUE = 0;
  public static final int END = 1;
  public static final int DIRECT = 2;

  /** Xray's buffer size; a block never exceeds it. */
  static final int BUFFER = 8192;

  /** Largest content of one block (the buffer less the UUID and the header). */
  public static final int MAX_CONTENT = BUFFER - 21;

  private static final int[] SEED = {900, 500, 900, 256};

  private VisionPadding() {}

  /** The padding length Xray picks for {@code contentLength}. */
  static int paddingLength(int contentLength, boolean longPadding, RandomGenerator random) {
    int p;
    if (contentLength < SEED[0] && longPadding) {
      p = random.nextInt(SEED[1]) + SEED[2] - contentLength;
    } else {
      p = random.nextInt(SEED[3]);
    }
    return Math.min(p, BUFFER - 21 - contentLength);
  }

  /**
   * Cuts one write into the buffers Xray pads one by one: pieces of at most {@link #BUFFER} bytes
   * (Xray reads into buffers of that size), and any piece of {@code BUFFER - 21} bytes or more cut
   * again (ReshapeMultiBuffer) at its last {@code 17 03 03} if that lies in [21, BUFFER - 21], else
   * in the middle, so that every piece fits a block. Returns {offset, length} pairs.
   */
  static java.util.List<int[]> reshape(byte[] b, int off, int len) {
    java.util.List<int[]> pieces = new java.util.ArrayList<>();
    for (int at = off; at < off + len; at += BUFFER) {
      int n = Math.min(BUFFER, off + len - at);
      if (n < BUFFER - 21) {
        pieces.add(new int[] {at, n});
        continue;
      }
      int cut = lastApplicationDataStart(b, at, n);
      if (cut < 21 || cut > BUFFER - 21) {
        cut = BUFFER / 2;
      }
      pieces.add(new int[] {at, cut});
      pieces.add(new int[] {at + cut, n - cut});
    }
    return pieces;
  }

  /** The offset within {@code b[off, off+len)} of the last {@code 17 03 03}, or -1. */
  private static int lastApplicationDataStart(byte[] b, int off, int len) {
    for (int i = len - 3; i >= 0; i--) {
      if (b[off + i] == 0x17 && b[off + i + 1] == 0x03 && b[off + i + 2] == 0x03) {
        return i;
      }
    }
    return -1;
  }

  /** One block; {@code uuid} is null except on the first block of a direction. */
  public static byte[] block(
      byte[] uuid, int command, byte[] b, int off, int len, int paddingLength) {
    if (len > MAX_CONTENT || paddingLength < 0 || paddingLength > 0xffff) {
      throw new IllegalArgumentException("vision block of " + len + "+" + paddingLength);
    }
    int u = uuid == null ? 0 : 16;
    byte[] f = new byte[u + 5 + len + paddingLength];
    if (uuid != null) {
      System.arraycopy(uuid, 0, f, 0, 16);
    }
    f[u] = (byte) command;
    f[u + 1] = (byte) (len >>> 8);
    f[u + 2] = (byte) len;
    f[u + 3] = (byte) (paddingLength >>> 8);
    f[u + 4] = (byte) paddingLength;
    if (len > 0) {
      System.arraycopy(b, off, f, u + 5, len);
    }
    return f;
  }
}
