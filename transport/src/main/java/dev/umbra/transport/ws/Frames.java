package dev.umbra.transport.ws;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** RFC 6455 frame header encoding and masking; no I/O. */
final class Frames {
  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** Largest header: 2 + 8 (length) + 4 (mask key). */
  static final int MAX_HEADER = 14;

  private Frames() {}

  /** Writes a final frame's header for {@code length} payload bytes. */
  static void writeHeader(ByteBuffer b, int opcode, long length, byte[] maskKey) {
    b.put((byte) (0x80 | opcode));
    int mask = maskKey == null ? 0 : 0x80;
    if (length < 126) {
      b.put((byte) (mask | (int) length));
    } else if (length <= 0xffff) {
      b.put((byte) (mask | 126));
      b.putShort((short) length);
    } else {
      b.put((byte) (mask | 127));
      b.putLong(length);
    }
    if (maskKey != null) {
      b.put(maskKey);
    }
  }

  /** XORs {@code len} bytes with the mask key, starting at key offset {@code keyPos}. */
  static void mask(byte[] data, int off, int len, byte[] key, long keyPos) {
    int k = (int) (keyPos & 3);
    int i = 0;
    if (len >= 16) {
      // Eight bytes at a time: the key repeats every four bytes, so one rotated word fits all.
      long word = 0;
      for (int j = 7; j >= 0; j--) {
        word = (word << 8) | (key[(k + j) & 3] & 0xffL);
      }
      for (; i + 8 <= len; i += 8) {
        LONGS.set(data, off + i, (long) LONGS.get(data, off + i) ^ word);
      }
    }
    for (; i < len; i++) {
      data[off + i] ^= key[(k + i) & 3];
    }
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
}
