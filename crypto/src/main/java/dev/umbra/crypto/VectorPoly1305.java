package dev.umbra.crypto;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Poly1305 {@code n} blocks at a time on the Vector API (the "n-way" evaluation): each lane of a
 * vector of {@code n} longs accumulates every {@code n}th block, each step multiplying by r^n, and
 * the last step multiplies each lane by the power of r its blocks still lack before the lanes are
 * summed. {@code n} is 8 where the CPU has 512-bit vectors (AVX-512), else 4. Numbers are in radix
 * 2^26 (five limbs of at most 27 bits) so that every product is a 32×32→64-bit multiply: each
 * operand is masked to 32 bits, which lets C2 emit one VPMULUDQ instead of a 64-bit multiply
 * emulated in several instructions.
 *
 * <p>Loaded only when {@code jdk.incubator.vector} is in the boot layer (see {@link Simd}).
 */
final class VectorPoly1305 {
  private static final VectorSpecies<Long> L =
      Simd.vectorBits(LongVector.SPECIES_PREFERRED.vectorBitSize()) == 512
          ? LongVector.SPECIES_512
          : LongVector.SPECIES_256;
  private static final VectorSpecies<Byte> B = L.withLanes(byte.class);

  /** Blocks per step. */
  static final int LANES = L.length();

  /** Longs of the precomputed key {@link #blocks} reads (see {@link #powers}). */
  static final int POWERS = 18 * LANES;

  private static final long M26 = 0x3FFFFFFL;
  private static final long M32 = 0xFFFFFFFFL;
  // A step's blocks are two vectors of (lo, hi) word pairs; these pick the lo and hi words so that
  // even lane 2m holds block m and odd lane 2m + 1 block n/2 + m.
  private static final VectorShuffle<Long> DUP_EVEN = VectorShuffle.fromOp(L, i -> i & ~1);
  private static final VectorShuffle<Long> DUP_ODD = VectorShuffle.fromOp(L, i -> i | 1);
  private static final VectorMask<Long> ODD = VectorMask.fromLong(L, 0xAAAAL);
  private static final VectorMask<Long> EVEN = ODD.not();

  private VectorPoly1305() {}

  /**
   * Fills {@code pow} from the radix-2^26 limbs of r, r^2, ..., r^n ({@code rk[5 (k-1) + i]}): two
   * sets of nine n-lane vectors (limbs 0-4, then 5 times limbs 1-4), first r^n in every lane, then
   * each lane's final multiplier: r^(n - m) for block m of the last step.
   */
  static void powers(long[] rk, long[] pow) {
    int n = LANES;
    for (int v = 0; v < 9; v++) {
      int limb = v < 5 ? v : v - 4;
      long times = v < 5 ? 1 : 5;
      for (int lane = 0; lane < n; lane++) {
        int block = (lane & 1) == 0 ? lane >> 1 : n / 2 + (lane >> 1);
        pow[v * n + lane] = times * rk[5 * (n - 1) + limb];
        pow[9 * n + v * n + lane] = times * rk[5 * (n - block - 1) + limb];
      }
    }
  }

  /**
   * Absorbs {@code LANES * groups} whole blocks (each with the 2^128 bit) into the accumulator
   * {@code h} (three words in radix 2^64, as {@link Poly1305} keeps it), with the key from {@link
   * #powers}.
   */
  static void blocks(long[] h, long[] pow, byte[] b, int off, int groups) {
    // Lane 0 starts with the accumulator, the others with zero.
    long a0 = h[0];
    long a1 = h[1];
    LongVector h0 = LongVector.zero(L).withLane(0, a0 & M26);
    LongVector h1 = LongVector.zero(L).withLane(0, (a0 >>> 26) & M26);
    LongVector h2 = LongVector.zero(L).withLane(0, ((a0 >>> 52) | (a1 << 12)) & M26);
    LongVector h3 = LongVector.zero(L).withLane(0, (a1 >>> 14) & M26);
    LongVector h4 = LongVector.zero(L).withLane(0, (a1 >>> 40) | (h[2] << 24));
    // The loop-invariant multipliers are loaded once per phase: r^4 for every group but the last,
    // then the lane-order multipliers for the last.
    int n = LANES;
    int half = 8 * n;
    for (int phase = 0, k = 0, steps = groups - 1; phase < 2; phase++, k = 9 * n, steps = 1) {
      LongVector r0 = LongVector.fromArray(L, pow, k).and(M32);
      LongVector r1 = LongVector.fromArray(L, pow, k + n).and(M32);
      LongVector r2 = LongVector.fromArray(L, pow, k + 2 * n).and(M32);
      LongVector r3 = LongVector.fromArray(L, pow, k + 3 * n).and(M32);
      LongVector r4 = LongVector.fromArray(L, pow, k + 4 * n).and(M32);
      LongVector s1 = LongVector.fromArray(L, pow, k + 5 * n).and(M32);
      LongVector s2 = LongVector.fromArray(L, pow, k + 6 * n).and(M32);
      LongVector s3 = LongVector.fromArray(L, pow, k + 7 * n).and(M32);
      LongVector s4 = LongVector.fromArray(L, pow, k + 8 * n).and(M32);
      for (int g = 0; g < steps; g++, off += 2 * half) {
        LongVector w0 = ByteVector.fromArray(B, b, off).reinterpretAsLongs();
        LongVector w1 = ByteVector.fromArray(B, b, off + half).reinterpretAsLongs();
        LongVector lo = w0.blend(w1.rearrange(DUP_EVEN), ODD);
        LongVector hi = w1.blend(w0.rearrange(DUP_ODD), EVEN);
        LongVector x0 = h0.add(lo.and(M26)).and(M32);
        LongVector x1 = h1.add(lo.lanewise(LSHR, 26).and(M26)).and(M32);
        LongVector x2 = h2.add(lo.lanewise(LSHR, 52).or(hi.lanewise(LSHL, 12)).and(M26)).and(M32);
        LongVector x3 = h3.add(hi.lanewise(LSHR, 14).and(M26)).and(M32);
        LongVector x4 = h4.add(hi.lanewise(LSHR, 40).or(1L << 24)).and(M32);
        LongVector d0 = x0.mul(r0).add(x1.mul(s4)).add(x2.mul(s3)).add(x3.mul(s2)).add(x4.mul(s1));
        LongVector d1 = x0.mul(r1).add(x1.mul(r0)).add(x2.mul(s4)).add(x3.mul(s3)).add(x4.mul(s2));
        LongVector d2 = x0.mul(r2).add(x1.mul(r1)).add(x2.mul(r0)).add(x3.mul(s4)).add(x4.mul(s3));
        LongVector d3 = x0.mul(r3).add(x1.mul(r2)).add(x2.mul(r1)).add(x3.mul(r0)).add(x4.mul(s4));
        LongVector d4 = x0.mul(r4).add(x1.mul(r3)).add(x2.mul(r2)).add(x3.mul(r1)).add(x4.mul(r0));
        // Carry: every limb back below 2^26 except limb 1, which may be a little above.
        LongVector c = d0.lanewise(LSHR, 26);
        h0 = d0.and(M26);
        d1 = d1.add(c);
        c = d1.lanewise(LSHR, 26);
        h1 = d1.and(M26);
        d2 = d2.add(c);
        c = d2.lanewise(LSHR, 26);
        h2 = d2.and(M26);
        d3 = d3.add(c);
        c = d3.lanewise(LSHR, 26);
        h3 = d3.and(M26);
        d4 = d4.add(c);
        c = d4.lanewise(LSHR, 26);
        h4 = d4.and(M26);
        h0 = h0.add(c.add(c.lanewise(LSHL, 2)));
        c = h0.lanewise(LSHR, 26);
        h0 = h0.and(M26);
        h1 = h1.add(c);
      }
    }
    // Sum the lanes, carry (folding 2^130 = 5) until limbs 0-3 are below 2^26, and convert back.
    long t0 = h0.reduceLanes(ADD);
    long t1 = h1.reduceLanes(ADD);
    long t2 = h2.reduceLanes(ADD);
    long t3 = h3.reduceLanes(ADD);
    long t4 = h4.reduceLanes(ADD);
    for (int pass = 0; pass < 3; pass++) {
      t1 += t0 >>> 26;
      t0 &= M26;
      t2 += t1 >>> 26;
      t1 &= M26;
      t3 += t2 >>> 26;
      t2 &= M26;
      t4 += t3 >>> 26;
      t3 &= M26;
      if (pass < 2) {
        t0 += (t4 >>> 26) * 5;
        t4 &= M26;
      }
    }
    h[0] = t0 | (t1 << 26) | (t2 << 52);
    h[1] = (t2 >>> 12) | (t3 << 14) | (t4 << 40);
    h[2] = t4 >>> 24;
  }
}
