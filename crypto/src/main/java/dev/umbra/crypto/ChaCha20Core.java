package dev.umbra.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The ChaCha20 block function (RFC 8439 §2.3) in plain Java, one block at a time, for what the
 * eight-block {@link VectorChaCha20} is too wide for: the Poly1305 key block and short tails.
 */
final class ChaCha20Core {
  private static final VarHandle LE32 =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private ChaCha20Core() {}

  /** Sets {@code s} to the initial state for a 32-byte key, a 12-byte nonce and a counter. */
  static void init(int[] s, byte[] key, byte[] nonce, int counter) {
    s[0] = 0x61707865;
    s[1] = 0x3320646e;
    s[2] = 0x79622d32;
    s[3] = 0x6b206574;
    for (int i = 0; i < 8; i++) {
      s[4 + i] = (int) LE32.get(key, 4 * i);
    }
    s[12] = counter;
    for (int i = 0; i < 3; i++) {
      s[13 + i] = (int) LE32.get(nonce, 4 * i);
    }
  }

  /**
   * XORs {@code len} bytes of keystream, from block {@code s[12]} on, into {@code out}; advances
   * {@code s[12]} past every block used (also a partly used last one).
   */
  static void xor(int[] s, int[] x, byte[] in, int inOff, byte[] out, int outOff, int len) {
    while (len > 0) {
      block(s, x);
      s[12]++;
      int n = Math.min(len, 64);
      int i = 0;
      for (; i + 4 <= n; i += 4) {
        LE32.set(out, outOff + i, (int) LE32.get(in, inOff + i) ^ x[i >>> 2]);
      }
      for (; i < n; i++) {
        out[outOff + i] = (byte) (in[inOff + i] ^ (x[i >>> 2] >>> (8 * (i & 3))));
      }
      inOff += n;
      outOff += n;
      len -= n;
    }
  }

  /** One keystream block of state {@code s} into {@code x} (16 words). */
  static void block(int[] s, int[] x) {
    int x0 = s[0];
    int x1 = s[1];
    int x2 = s[2];
    int x3 = s[3];
    int x4 = s[4];
    int x5 = s[5];
    int x6 = s[6];
    int x7 = s[7];
    int x8 = s[8];
    int x9 = s[9];
    int x10 = s[10];
    int x11 = s[11];
    int x12 = s[12];
    int x13 = s[13];
    int x14 = s[14];
    int x15 = s[15];
    for (int r = 0; r < 10; r++) {
      x0 += x4;
      x12 = Integer.rotateLeft(x12 ^ x0, 16);
      x8 += x12;
      x4 = Integer.rotateLeft(x4 ^ x8, 12);
      x0 += x4;
      x12 = Integer.rotateLeft(x12 ^ x0, 8);
      x8 += x12;
      x4 = Integer.rotateLeft(x4 ^ x8, 7);
      x1 += x5;
      x13 = Integer.rotateLeft(x13 ^ x1, 16);
      x9 += x13;
      x5 = Integer.rotateLeft(x5 ^ x9, 12);
      x1 += x5;
      x13 = Integer.rotateLeft(x13 ^ x1, 8);
      x9 += x13;
      x5 = Integer.rotateLeft(x5 ^ x9, 7);
      x2 += x6;
      x14 = Integer.rotateLeft(x14 ^ x2, 16);
      x10 += x14;
      x6 = Integer.rotateLeft(x6 ^ x10, 12);
      x2 += x6;
      x14 = Integer.rotateLeft(x14 ^ x2, 8);
      x10 += x14;
      x6 = Integer.rotateLeft(x6 ^ x10, 7);
      x3 += x7;
      x15 = Integer.rotateLeft(x15 ^ x3, 16);
      x11 += x15;
      x7 = Integer.rotateLeft(x7 ^ x11, 12);
      x3 += x7;
      x15 = Integer.rotateLeft(x15 ^ x3, 8);
      x11 += x15;
      x7 = Integer.rotateLeft(x7 ^ x11, 7);

      x0 += x5;
      x15 = Integer.rotateLeft(x15 ^ x0, 16);
      x10 += x15;
      x5 = Integer.rotateLeft(x5 ^ x10, 12);
      x0 += x5;
      x15 = Integer.rotateLeft(x15 ^ x0, 8);
      x10 += x15;
      x5 = Integer.rotateLeft(x5 ^ x10, 7);
      x1 += x6;
      x12 = Integer.rotateLeft(x12 ^ x1, 16);
      x11 += x12;
      x6 = Integer.rotateLeft(x6 ^ x11, 12);
      x1 += x6;
      x12 = Integer.rotateLeft(x12 ^ x1, 8);
      x11 += x12;
      x6 = Integer.rotateLeft(x6 ^ x11, 7);
      x2 += x7;
      x13 = Integer.rotateLeft(x13 ^ x2, 16);
      x8 += x13;
      x7 = Integer.rotateLeft(x7 ^ x8, 12);
      x2 += x7;
      x13 = Integer.rotateLeft(x13 ^ x2, 8);
      x8 += x13;
      x7 = Integer.rotateLeft(x7 ^ x8, 7);
      x3 += x4;
      x14 = Integer.rotateLeft(x14 ^ x3, 16);
      x9 += x14;
      x4 = Integer.rotateLeft(x4 ^ x9, 12);
      x3 += x4;
      x14 = Integer.rotateLeft(x14 ^ x3, 8);
      x9 += x14;
      x4 = Integer.rotateLeft(x4 ^ x9, 7);
    }
    x[0] = x0 + s[0];
    x[1] = x1 + s[1];
    x[2] = x2 + s[2];
    x[3] = x3 + s[3];
    x[4] = x4 + s[4];
    x[5] = x5 + s[5];
    x[6] = x6 + s[6];
    x[7] = x7 + s[7];
    x[8] = x8 + s[8];
    x[9] = x9 + s[9];
    x[10] = x10 + s[10];
    x[11] = x11 + s[11];
    x[12] = x12 + s[12];
    x[13] = x13 + s[13];
    x[14] = x14 + s[14];
    x[15] = x15 + s[15];
  }
}
