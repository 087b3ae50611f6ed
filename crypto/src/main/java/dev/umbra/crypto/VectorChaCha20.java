package dev.umbra.crypto;

import static jdk.incubator.vector.VectorOperators.ROL;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The ChaCha20 stream (RFC 8439 §2.4) eight blocks at a time on the Vector API: each of the 16
 * state words is one 256-bit vector whose lane {@code j} belongs to block {@code counter + j}, so a
 * quarter round is twelve lanewise operations on eight blocks at once. A butterfly transpose
 * (permute + blend, three stages) then turns the words back into block order.
 *
 * <p>Loaded only when {@code jdk.incubator.vector} is in the boot layer (see {@link Simd}). The
 * work is split into methods small enough for C2 to inline every Vector API call: a vector that
 * reaches a call C2 did not inline is boxed on the heap. The rounds leave the eight blocks in a
 * 128-int scratch array, the transpose writes them as keystream bytes, and a plain loop XORs those
 * into the message. (Transposing straight into the XOR made the method too big for C2's inlining
 * budget: its last vectors were boxed, 256 bytes of garbage per 512 bytes of message.)
 */
final class VectorChaCha20 {
  /** Bytes per call of the eight-block core. */
  static final int SLAB = 512;

  /** Ints of scratch space {@link #xor} and {@link #keystream} need. */
  static final int SCRATCH = 128;

  private static final VarHandle LE32 =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
  private static final IntVector LANE =
      IntVector.fromArray(I, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 0);
  private static final VectorShuffle<Integer> SWAP128 =
      VectorShuffle.fromValues(I, 4, 5, 6, 7, 0, 1, 2, 3);
  private static final VectorShuffle<Integer> SWAP64 =
      VectorShuffle.fromValues(I, 2, 3, 0, 1, 6, 7, 4, 5);
  private static final VectorShuffle<Integer> SWAP32 =
      VectorShuffle.fromValues(I, 1, 0, 3, 2, 5, 4, 7, 6);
  private static final VectorMask<Integer> HI128 =
      VectorMask.fromValues(I, false, false, false, false, true, true, true, true);
  private static final VectorMask<Integer> HI64 =
      VectorMask.fromValues(I, false, false, true, true, false, false, true, true);
  private static final VectorMask<Integer> HI32 =
      VectorMask.fromValues(I, false, true, false, true, false, true, false, true);

  private VectorChaCha20() {}

  /**
   * XORs {@code slabs * 512} bytes of keystream into {@code out}: blocks {@code s[12]}, {@code
   * s[12] + 1}, ... of the 16-word state {@code s}; advances {@code s[12]} past them. {@code ks} is
   * scratch space of {@link #SCRATCH} ints, {@code kb} of {@link #SLAB} bytes.
   */
  static void xor(
      int[] s, int[] ks, byte[] kb, byte[] in, int inOff, byte[] out, int outOff, int slabs) {
    for (int n = 0; n < slabs; n++, inOff += SLAB, outOff += SLAB) {
      eightBlocks(s, s[12], ks);
      s[12] += 8;
      transpose(ks, 0, kb, 0);
      xorSlab(ks, kb, in, inOff, out, outOff);
    }
  }

  /**
   * XORs one slab: the first 32 bytes of each block from {@code kb} (words 0-7, transposed on the
   * vector unit), the last 32 word by word straight from {@code ks}. The vector ALUs are the
   * bottleneck and the scalar loads and stores run on other ports, so splitting the transpose this
   * way is faster than doing all of it either way (about 8% and 4% less time for the keystream than
   * the all-vector and all-scalar transposes on an AVX2 Zen 3).
   */
  private static void xorSlab(int[] ks, byte[] kb, byte[] in, int inOff, byte[] out, int outOff) {
    for (int j = 0; j < 8; j++) {
      int o = 64 * j;
      ByteVector.fromArray(B, in, inOff + o)
          .lanewise(XOR, ByteVector.fromArray(B, kb, o))
          .intoArray(out, outOff + o);
      for (int i = 8; i < 16; i++) {
        int at = o + 4 * i;
        LE32.set(out, outOff + at, (int) LE32.get(in, inOff + at) ^ ks[8 * i + j]);
      }
    }
  }

  /**
   * The next eight blocks of keystream, {@code s[12]} to {@code s[12] + 7}, into {@code
   * kb[0..512)}; advances {@code s[12]} past them.
   */
  static void keystream(int[] s, int[] ks, byte[] kb) {
    eightBlocks(s, s[12], ks);
    s[12] += 8;
    transpose(ks, 0, kb, 0);
    transpose(ks, 64, kb, 32);
  }

  /**
   * {@code out[outOff..+len) = in[inOff..+len) ^ kb[kbOff..+len)}; {@code in} and {@code out} may
   * be the same bytes.
   */
  static void xor(byte[] in, int inOff, byte[] kb, int kbOff, byte[] out, int outOff, int len) {
    int i = 0;
    for (; i + 32 <= len; i += 32) {
      ByteVector.fromArray(B, in, inOff + i)
          .lanewise(XOR, ByteVector.fromArray(B, kb, kbOff + i))
          .intoArray(out, outOff + i);
    }
    for (; i < len; i++) {
      out[outOff + i] = (byte) (in[inOff + i] ^ kb[kbOff + i]);
    }
  }

  /**
   * Blocks {@code counter..counter+7} into {@code ks}: word {@code i} of block {@code j} at {@code
   * 8 i + j}.
   */
  private static void eightBlocks(int[] s, int counter, int[] ks) {
    IntVector x0 = IntVector.broadcast(I, s[0]);
    IntVector x1 = IntVector.broadcast(I, s[1]);
    IntVector x2 = IntVector.broadcast(I, s[2]);
    IntVector x3 = IntVector.broadcast(I, s[3]);
    IntVector x4 = IntVector.broadcast(I, s[4]);
    IntVector x5 = IntVector.broadcast(I, s[5]);
    IntVector x6 = IntVector.broadcast(I, s[6]);
    IntVector x7 = IntVector.broadcast(I, s[7]);
    IntVector x8 = IntVector.broadcast(I, s[8]);
    IntVector x9 = IntVector.broadcast(I, s[9]);
    IntVector x10 = IntVector.broadcast(I, s[10]);
    IntVector x11 = IntVector.broadcast(I, s[11]);
    IntVector x12 = LANE.add(counter);
    IntVector x13 = IntVector.broadcast(I, s[13]);
    IntVector x14 = IntVector.broadcast(I, s[14]);
    IntVector x15 = IntVector.broadcast(I, s[15]);
    for (int r = 0; r < 10; r++) {
      // columns
      x0 = x0.add(x4);
      x1 = x1.add(x5);
      x2 = x2.add(x6);
      x3 = x3.add(x7);
      x12 = x12.lanewise(XOR, x0).lanewise(ROL, 16);
      x13 = x13.lanewise(XOR, x1).lanewise(ROL, 16);
      x14 = x14.lanewise(XOR, x2).lanewise(ROL, 16);
      x15 = x15.lanewise(XOR, x3).lanewise(ROL, 16);
      x8 = x8.add(x12);
      x9 = x9.add(x13);
      x10 = x10.add(x14);
      x11 = x11.add(x15);
      x4 = x4.lanewise(XOR, x8).lanewise(ROL, 12);
      x5 = x5.lanewise(XOR, x9).lanewise(ROL, 12);
      x6 = x6.lanewise(XOR, x10).lanewise(ROL, 12);
      x7 = x7.lanewise(XOR, x11).lanewise(ROL, 12);
      x0 = x0.add(x4);
      x1 = x1.add(x5);
      x2 = x2.add(x6);
      x3 = x3.add(x7);
      x12 = x12.lanewise(XOR, x0).lanewise(ROL, 8);
      x13 = x13.lanewise(XOR, x1).lanewise(ROL, 8);
      x14 = x14.lanewise(XOR, x2).lanewise(ROL, 8);
      x15 = x15.lanewise(XOR, x3).lanewise(ROL, 8);
      x8 = x8.add(x12);
      x9 = x9.add(x13);
      x10 = x10.add(x14);
      x11 = x11.add(x15);
      x4 = x4.lanewise(XOR, x8).lanewise(ROL, 7);
      x5 = x5.lanewise(XOR, x9).lanewise(ROL, 7);
      x6 = x6.lanewise(XOR, x10).lanewise(ROL, 7);
      x7 = x7.lanewise(XOR, x11).lanewise(ROL, 7);
      // diagonals
      x0 = x0.add(x5);
      x1 = x1.add(x6);
      x2 = x2.add(x7);
      x3 = x3.add(x4);
      x15 = x15.lanewise(XOR, x0).lanewise(ROL, 16);
      x12 = x12.lanewise(XOR, x1).lanewise(ROL, 16);
      x13 = x13.lanewise(XOR, x2).lanewise(ROL, 16);
      x14 = x14.lanewise(XOR, x3).lanewise(ROL, 16);
      x10 = x10.add(x15);
      x11 = x11.add(x12);
      x8 = x8.add(x13);
      x9 = x9.add(x14);
      x5 = x5.lanewise(XOR, x10).lanewise(ROL, 12);
      x6 = x6.lanewise(XOR, x11).lanewise(ROL, 12);
      x7 = x7.lanewise(XOR, x8).lanewise(ROL, 12);
      x4 = x4.lanewise(XOR, x9).lanewise(ROL, 12);
      x0 = x0.add(x5);
      x1 = x1.add(x6);
      x2 = x2.add(x7);
      x3 = x3.add(x4);
      x15 = x15.lanewise(XOR, x0).lanewise(ROL, 8);
      x12 = x12.lanewise(XOR, x1).lanewise(ROL, 8);
      x13 = x13.lanewise(XOR, x2).lanewise(ROL, 8);
      x14 = x14.lanewise(XOR, x3).lanewise(ROL, 8);
      x10 = x10.add(x15);
      x11 = x11.add(x12);
      x8 = x8.add(x13);
      x9 = x9.add(x14);
      x5 = x5.lanewise(XOR, x10).lanewise(ROL, 7);
      x6 = x6.lanewise(XOR, x11).lanewise(ROL, 7);
      x7 = x7.lanewise(XOR, x8).lanewise(ROL, 7);
      x4 = x4.lanewise(XOR, x9).lanewise(ROL, 7);
    }
    x0.add(IntVector.broadcast(I, s[0])).intoArray(ks, 0);
    x1.add(IntVector.broadcast(I, s[1])).intoArray(ks, 8);
    x2.add(IntVector.broadcast(I, s[2])).intoArray(ks, 16);
    x3.add(IntVector.broadcast(I, s[3])).intoArray(ks, 24);
    x4.add(IntVector.broadcast(I, s[4])).intoArray(ks, 32);
    x5.add(IntVector.broadcast(I, s[5])).intoArray(ks, 40);
    x6.add(IntVector.broadcast(I, s[6])).intoArray(ks, 48);
    x7.add(IntVector.broadcast(I, s[7])).intoArray(ks, 56);
    x8.add(IntVector.broadcast(I, s[8])).intoArray(ks, 64);
    x9.add(IntVector.broadcast(I, s[9])).intoArray(ks, 72);
    x10.add(IntVector.broadcast(I, s[10])).intoArray(ks, 80);
    x11.add(IntVector.broadcast(I, s[11])).intoArray(ks, 88);
    x12.add(LANE.add(counter)).intoArray(ks, 96);
    x13.add(IntVector.broadcast(I, s[13])).intoArray(ks, 104);
    x14.add(IntVector.broadcast(I, s[14])).intoArray(ks, 112);
    x15.add(IntVector.broadcast(I, s[15])).intoArray(ks, 120);
  }

  /**
   * Transposes words {@code row/8 .. row/8 + 7} of the eight blocks in {@code ks} (one vector per
   * word) into one vector per block and stores block {@code j}'s as the 32 bytes at {@code kb[kbOff
   * + 64 j]} (little-endian, as the platform's lanes are). Each stage swaps one bit of the word
   * index with the same bit of the lane index.
   */
  private static void transpose(int[] ks, int row, byte[] kb, int kbOff) {
    IntVector v0 = IntVector.fromArray(I, ks, row);
    IntVector v1 = IntVector.fromArray(I, ks, row + 8);
    IntVector v2 = IntVector.fromArray(I, ks, row + 16);
    IntVector v3 = IntVector.fromArray(I, ks, row + 24);
    IntVector v4 = IntVector.fromArray(I, ks, row + 32);
    IntVector v5 = IntVector.fromArray(I, ks, row + 40);
    IntVector v6 = IntVector.fromArray(I, ks, row + 48);
    IntVector v7 = IntVector.fromArray(I, ks, row + 56);
    IntVector a0 = v0.blend(v4.rearrange(SWAP128), HI128);
    IntVector a4 = v0.rearrange(SWAP128).blend(v4, HI128);
    IntVector a1 = v1.blend(v5.rearrange(SWAP128), HI128);
    IntVector a5 = v1.rearrange(SWAP128).blend(v5, HI128);
    IntVector a2 = v2.blend(v6.rearrange(SWAP128), HI128);
    IntVector a6 = v2.rearrange(SWAP128).blend(v6, HI128);
    IntVector a3 = v3.blend(v7.rearrange(SWAP128), HI128);
    IntVector a7 = v3.rearrange(SWAP128).blend(v7, HI128);
    IntVector b0 = a0.blend(a2.rearrange(SWAP64), HI64);
    IntVector b2 = a0.rearrange(SWAP64).blend(a2, HI64);
    IntVector b1 = a1.blend(a3.rearrange(SWAP64), HI64);
    IntVector b3 = a1.rearrange(SWAP64).blend(a3, HI64);
    IntVector b4 = a4.blend(a6.rearrange(SWAP64), HI64);
    IntVector b6 = a4.rearrange(SWAP64).blend(a6, HI64);
    IntVector b5 = a5.blend(a7.rearrange(SWAP64), HI64);
    IntVector b7 = a5.rearrange(SWAP64).blend(a7, HI64);
    b0.blend(b1.rearrange(SWAP32), HI32).reinterpretAsBytes().intoArray(kb, kbOff);
    b0.rearrange(SWAP32).blend(b1, HI32).reinterpretAsBytes().intoArray(kb, kbOff + 64);
    b2.blend(b3.rearrange(SWAP32), HI32).reinterpretAsBytes().intoArray(kb, kbOff + 128);
    b2.rearrange(SWAP32).blend(b3, HI32).reinterpretAsBytes().intoArray(kb, kbOff + 192);
    b4.blend(b5.rearrange(SWAP32), HI32).reinterpretAsBytes().intoArray(kb, kbOff + 256);
    b4.rearrange(SWAP32).blend(b5, HI32).reinterpretAsBytes().intoArray(kb, kbOff + 320);
    b6.blend(b7.rearrange(SWAP32), HI32).reinterpretAsBytes().intoArray(kb, kbOff + 384);
    b6.rearrange(SWAP32).blend(b7, HI32).reinterpretAsBytes().intoArray(kb, kbOff + 448);
  }
}
