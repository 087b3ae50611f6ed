package dev.umbra.core.sniff;

import java.nio.ByteBuffer;

/** QUIC variable-length integers (RFC 9000 §16): 1, 2, 4 or 8 bytes, the length in the top bits. */
final class QuicVarint {
  private QuicVarint() {}

  /** Reads one, or returns -1 if the buffer ends inside it. */
  static long read(ByteBuffer b) {
    if (!b.hasRemaining()) {
      return -1;
    }
    int first = b.get(b.position()) & 0xff;
    int len = 1 << (first >>> 6);
    if (b.remaining() < len) {
      return -1;
    }
    long v = b.get() & 0x3f;
    for (int i = 1; i < len; i++) {
      v = (v << 8) | (b.get() & 0xff);
    }
    return v;
  }

  /** Writes {@code v} in the shortest form (for tests that build packets). */
  static void write(ByteBuffer b, long v) {
    if (v < 0x40) {
      b.put((byte) v);
    } else if (v < 0x4000) {
      b.putShort((short) (v | 0x4000));
    } else if (v < 0x40000000) {
      b.putInt((int) (v | 0x80000000L));
    } else {
      b.putLong(v | 0xc000000000000000L);
    }
  }
}
