package dev.umbra.crypto;

import static jdk.incubator.vector.VectorOperators.ROL;
import static jdk.incubator.vector.VectorOperators.XOR;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The ChaCha20 stream (RFC 8439 §2.4) {@code n} blocks at a time on the Vector API: each of the 16
 * state words is one vector whose lane {@code j} belongs to block {@code counter + j}, so a quarter
 * round is twelve lanewise operations on {@code n} blocks at once. {@code n} is 16 where the CPU
 * has 512-bit vectors (AVX-512, which also rotates in one instruction), else 8. Butterfly
 * transposes (permute + blend, three stages) of eight blocks by eight words on 256-bit vectors then
 * turn the words back into block order.
 *
 * <p>Loaded only when {@code jdk.incubator.vector} is in the boot layer (see {@link Simd}). The
 * work is split into methods small enough for C2 to inline every Vector API call: a vector that
 * reaches a call C2 did not inline is boxed on the heap. The rounds leave the blocks in a scratch
 * array; transposes of eight blocks by eight words each XOR them into the message. (One method for
 * the whole transpose was too big for C2's inlining budget: its last vectors were boxed.)
 */
final class VectorChaCha20 {
  /** The rounds' vectors: one lane per block. */
  private static final VectorSpecies<Integer> W =
      Simd.vectorBits(IntVector.SPECIES_PREFERRED.vectorBitSize()) == 512
          ? IntVector.SPECIES_512
          : IntVector.SPECIES_256;

  /** Blocks per step. */
  private static final int BLOCKS = W.length();

  /** Bytes per step. */
  static final int SLAB = 64 * BLOCKS;

  /** Ints of scratch space {@link #xor} and {@link #keystream} need. */
  static final int SCRATCH = 16 * BLOCKS;

  private static final byte[] ZERO_SLAB = new byte[SLAB];
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
  private static final IntVector LANE = IntVector.zero(W).addIndex(1);
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
   * XORs {@code slabs * SLAB} bytes of keystream into {@code out}: blocks {@code s[12]}, {@code
   * s[12] + 1}, ... of the 16-word state {@code s}; advances {@code s[12]} past them. {@code ks} is
   * scratch space of {@link #SCRATCH} ints. {@code in} and {@code out} may be the same bytes.
   */
  static void xor(int[] s, int[] ks, byte[] in, int inOff, byte[] out, int outOff, int slabs) {
    for (int n = 0; n < slabs; n++, inOff += SLAB, outOff += SLAB) {
      blocks(s, s[12], ks);
      s[12] += BLOCKS;
      xorBlocks(ks, in, inOff, out, outOff);
    }
  }

  /**
   * The next {@link #SLAB} bytes of keystream, from block {@code s[12]} on, into {@code kb};
   * advances {@code s[12]} past them.
   */
  static void keystream(int[] s, int[] ks, byte[] kb) {
    blocks(s, s[12], ks);
    s[12] += BLOCKS;
    xorBlocks(ks, ZERO_SLAB, 0, kb, 0);
  }

  /** XORs the blocks in {@code ks} with {@code in[inOff..+SLAB)} into {@code out[outOff..]}. */
  private static void xorBlocks(int[] ks, byte[] in, int inOff, byte[] out, int outOff) {
    for (int j = 0; j < BLOCKS; j += 8) {
      int at = 64 * j;
      transposeXor(ks, j, in, inOff + at, out, outOff + at);
      transposeXor(ks, j + 8 * BLOCKS, in, inOff + at + 32, out, outOff + at + 32);
    }
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
   * Blocks {@code counter..counter + BLOCKS - 1} into {@code ks}: word {@code i} of block {@code j}
   * at {@code BLOCKS i + j}.
   */
  private static void blocks(int[] s, int counter, int[] ks) {
    IntVector x0 = IntVector.broadcast(W, s[0]);
    IntVector x1 = IntVector.broadcast(W, s[1]);
    IntVector x2 = IntVector.broadcast(W, s[2]);
    IntVector x3 = IntVector.broadcast(W, s[3]);
    IntVector x4 = IntVector.broadcast(W, s[4]);
    IntVector x5 = IntVector.broadcast(W, s[5]);
    IntVector x6 = IntVector.broadcast(W, s[6]);
    IntVector x7 = IntVector.broadcast(W, s[7]);
    IntVector x8 = IntVector.broadcast(W, s[8]);
    IntVector x9 = IntVector.broadcast(W, s[9]);
    IntVector x10 = IntVector.broadcast(W, s[10]);
    IntVector x11 = IntVector.broadcast(W, s[11]);
    IntVector x12 = LANE.add(counter);
    IntVector x13 = IntVector.broadcast(W, s[13]);
    IntVector x14 = IntVector.broadcast(W, s[14]);
    IntVector x15 = IntVector.broadcast(W, s[15]);
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
    x0.add(IntVector.broadcast(W, s[0])).intoArray(ks, 0);
    x1.add(IntVector.broadcast(W, s[1])).intoArray(ks, BLOCKS);
    x2.add(IntVector.broadcast(W, s[2])).intoArray(ks, 2 * BLOCKS);
    x3.add(IntVector.broadcast(W, s[3])).intoArray(ks, 3 * BLOCKS);
    x4.add(IntVector.broadcast(W, s[4])).intoArray(ks, 4 * BLOCKS);
    x5.add(IntVector.broadcast(W, s[5])).intoArray(ks, 5 * BLOCKS);
    x6.add(IntVector.broadcast(W, s[6])).intoArray(ks, 6 * BLOCKS);
    x7.add(IntVector.broadcast(W, s[7])).intoArray(ks, 7 * BLOCKS);
    x8.add(IntVector.broadcast(W, s[8])).intoArray(ks, 8 * BLOCKS);
    x9.add(IntVector.broadcast(W, s[9])).intoArray(ks, 9 * BLOCKS);
    x10.add(IntVector.broadcast(W, s[10])).intoArray(ks, 10 * BLOCKS);
    x11.add(IntVector.broadcast(W, s[11])).intoArray(ks, 11 * BLOCKS);
    x12.add(LANE.add(counter)).intoArray(ks, 12 * BLOCKS);
    x13.add(IntVector.broadcast(W, s[13])).intoArray(ks, 13 * BLOCKS);
    x14.add(IntVector.broadcast(W, s[14])).intoArray(ks, 14 * BLOCKS);
    x15.add(IntVector.broadcast(W, s[15])).intoArray(ks, 15 * BLOCKS);
  }

  /**
   * Transposes eight words of eight blocks, {@code ks[row + BLOCKS i + j]} for word {@code i} and
   * block {@code j} below 8, into one vector per block and XORs block {@code j}'s, as 32
   * little-endian bytes (the platform's lane order), with {@code in[inOff + 64 j..]} into {@code
   * out[outOff + 64 j..]}. Each stage swaps one bit of the word index with the same bit of the lane
   * index.
   */
  private static void transposeXor(
      int[] ks, int row, byte[] in, int inOff, byte[] out, int outOff) {
    IntVector v0 = IntVector.fromArray(I, ks, row);
    IntVector v1 = IntVector.fromArray(I, ks, row + 1 * BLOCKS);
    IntVector v2 = IntVector.fromArray(I, ks, row + 2 * BLOCKS);
    IntVector v3 = IntVector.fromArray(I, ks, row + 3 * BLOCKS);
    IntVector v4 = IntVector.fromArray(I, ks, row + 4 * BLOCKS);
    IntVector v5 = IntVector.fromArray(I, ks, row + 5 * BLOCKS);
    IntVector v6 = IntVector.fromArray(I, ks, row + 6 * BLOCKS);
    IntVector v7 = IntVector.fromArray(I, ks, row + 7 * BLOCKS);
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
    ByteVector.fromArray(B, in, inOff)
        .lanewise(XOR, b0.blend(b1.rearrange(SWAP32), HI32).reinterpretAsBytes())
        .intoArray(out, outOff);
    ByteVector.fromArray(B, in, inOff + 64)
        .lanewise(XOR, b0.rearrange(SWAP32).blend(b1, HI32).reinterpretAsBytes())
        .intoArray(out, outOff + 64);
    ByteVector.fromArray(B, in, inOff + 128)
        .lanewise(XOR, b2.blend(b3.rearrange(SWAP32), HI32).reinterpretAsBytes())
        .intoArray(out, outOff + 128);
    ByteVector.fromArray(B, in, inOff + 192)
        .lanewise(XOR, b2.rearrange(SWAP32).blend(b3, HI32).reinterpretAsBytes())
        .intoArray(out, outOff + 192);
    ByteVector.fromArray(B, in, inOff + 256)
        .lanewise(XOR, b4.blend(b5.rearrange(SWAP32), HI32).reinterpretAsBytes())
        .intoArray(out, outOff + 256);
    ByteVector.fromArray(B, in, inOff + 320)
        .lanewise(XOR, b4.rearrange(SWAP32).blend(b5, HI32).reinterpretAsBytes())
        .intoArray(out, outOff + 320);
    ByteVector.fromArray(B, in, inOff + 384)
        .lanewise(XOR, b6.blend(b7.rearrange(SWAP32), HI32).reinterpretAsBytes())
        .intoArray(out, outOff + 384);
    ByteVector.fromArray(B, in, inOff + 448)
        .lanewise(XOR, b6.rearrange(SWAP32).blend(b7, HI32).reinterpretAsBytes())
        .intoArray(out, outOff + 448);
  }
}
