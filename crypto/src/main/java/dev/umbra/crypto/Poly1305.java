package dev.umbra.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Poly1305 one-time authenticator (RFC 8439 §2.5) in radix 2^64: the accumulator is two 64-bit
 * words plus a few top bits, and each 16-byte block costs four 64×64→128-bit products and two small
 * ones ({@link Math#unsignedMultiplyHigh} is a single instruction on x86-64 and AArch64).
 *
 * <p>Why not the JDK's: its Poly1305 works in 26-bit limbs and its intrinsic needs AVX-512 IFMA, so
 * on AVX2-only CPUs it runs several times slower than this (see {@code bench/AeadBench.java}).
 *
 * <p>With {@code jdk.incubator.vector} in the boot layer (see {@link Simd}), runs of 16 or more
 * whole blocks go to {@link VectorPoly1305} (four blocks per step in AVX2 registers or eight in
 * AVX-512 ones, radix 2^26), which needs the powers of r up to one per block of a step: computed
 * here once per key, on the first such run.
 *
 * <p>Use: {@link #init}, any number of {@link #update} calls, then {@link #finish}; an instance can
 * be re-initialised and reused. Not thread-safe. All arithmetic is branch-free in the data.
 */
public final class Poly1305 {
  public static final int KEY_SIZE = 32;
  public static final int TAG_SIZE = 16;

  private static final VarHandle LE64 =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private long r0;
  private long r1;
  private long s1; // r1 + r1/4: folds 2^130 = 5 (mod p) into the products
  private long pad0;
  private long pad1;
  private long h0;
  private long h1;
  private long h2;
  private final byte[] partial = new byte[16];
  private int partialLen;

  /** Fewest whole blocks worth the vector path (it also needs r's powers once per key). */
  private static final int VECTOR_MIN_BLOCKS = 16;

  private static final long M26 = 0x3FFFFFFL;

  private final boolean simd;
  private final boolean auto;
  private final long[] acc = new long[3];
  private long[] rk;
  private long[] pow;
  private boolean powReady;

  /**
   * The vector implementation when the JVM has the incubator module and the vector code is compiled
   * ({@link Simd#warm}), else plain Java.
   */
  public Poly1305() {
    this.simd = Simd.AVAILABLE;
    this.auto = true;
  }

  /** {@code simd}: the vector path whenever the module is present; else plain Java (tests). */
  Poly1305(boolean simd) {
    this.simd = simd && Simd.AVAILABLE;
    this.auto = false;
  }

  /** Starts a new tag with the 32-byte one-time key {@code r || s} at {@code key[off..]}. */
  public void init(byte[] key, int off) {
    if (key.length - off < KEY_SIZE) {
      throw new IllegalArgumentException("Poly1305 needs a 32-byte key");
    }
    r0 = (long) LE64.get(key, off) & 0x0FFFFFFC0FFFFFFFL;
    r1 = (long) LE64.get(key, off + 8) & 0x0FFFFFFC0FFFFFFCL;
    s1 = r1 + (r1 >>> 2);
    pad0 = (long) LE64.get(key, off + 16);
    pad1 = (long) LE64.get(key, off + 24);
    h0 = 0;
    h1 = 0;
    h2 = 0;
    partialLen = 0;
    powReady = false;
  }

  /** Absorbs {@code len} bytes. */
  public void update(byte[] b, int off, int len) {
    if (partialLen > 0) {
      int n = Math.min(len, 16 - partialLen);
      System.arraycopy(b, off, partial, partialLen, n);
      partialLen += n;
      off += n;
      len -= n;
      if (partialLen < 16) {
        return;
      }
      blocks(partial, 0, 1, 1);
      partialLen = 0;
    }
    int full = len >>> 4;
    if (simd && full >= VECTOR_MIN_BLOCKS && (!auto || Simd.warm())) {
      int lanes = VectorPoly1305.LANES;
      int groups = full / lanes;
      vectorBlocks(b, off, groups);
      off += 16 * lanes * groups;
      len -= 16 * lanes * groups;
      full -= lanes * groups;
    }
    if (full > 0) {
      blocks(b, off, full, 1);
      off += full << 4;
      len -= full << 4;
    }
    if (len > 0) {
      System.arraycopy(b, off, partial, 0, len);
      partialLen = len;
    }
  }

  /**
   * Absorbs zero bytes up to the next 16-byte boundary of everything absorbed so far (the AEAD
   * construction's padding, RFC 8439 §2.8).
   */
  public void padToBlock() {
    if (partialLen > 0) {
      java.util.Arrays.fill(partial, partialLen, 16, (byte) 0);
      blocks(partial, 0, 1, 1);
      partialLen = 0;
    }
  }

  /** Absorbs one full block made of two little-endian words (the AEAD length block). */
  public void updateWords(long w0, long w1) {
    padToBlock();
    byte[] p = partial;
    LE64.set(p, 0, w0);
    LE64.set(p, 8, w1);
    blocks(p, 0, 1, 1);
  }

  /** Writes the 16-byte tag to {@code out[off..]}; the instance needs {@link #init} again. */
  public void finish(byte[] out, int off) {
    if (partialLen > 0) {
      // A short last block gets a 1 byte after the message instead of the 2^128 bit.
      byte[] p = partial;
      p[partialLen] = 1;
      java.util.Arrays.fill(p, partialLen + 1, 16, (byte) 0);
      blocks(p, 0, 1, 0);
      partialLen = 0;
    }
    long a0 = h0;
    long a1 = h1;
    long a2 = h2;
    // Fully reduce: compute h + 5 - 2^130 and keep it if it did not go negative.
    long g0 = a0 + 5;
    long c = carry(a0, g0);
    long g1 = a1 + c;
    c = carry(a1, g1);
    long g2 = a2 + c;
    long mask = -(g2 >>> 2); // all ones when h >= p
    a0 = (a0 & ~mask) | (g0 & mask);
    a1 = (a1 & ~mask) | (g1 & mask);
    // tag = (h + s) mod 2^128
    long t0 = a0 + pad0;
    c = carry(a0, t0);
    long t1 = a1 + pad1 + c;
    LE64.set(out, off, t0);
    LE64.set(out, off + 8, t1);
    r0 = r1 = s1 = pad0 = pad1 = h0 = h1 = h2 = 0;
    if (powReady) {
      java.util.Arrays.fill(pow, 0);
      java.util.Arrays.fill(rk, 0);
      powReady = false;
    }
  }

  /** {@code VectorPoly1305.LANES * groups} whole blocks on the Vector API. */
  private void vectorBlocks(byte[] b, int off, int groups) {
    if (!powReady) {
      powers();
    }
    long[] a = acc;
    a[0] = h0;
    a[1] = h1;
    a[2] = h2;
    VectorPoly1305.blocks(a, pow, b, off, groups);
    h0 = a[0];
    h1 = a[1];
    h2 = a[2];
  }

  /** r, r^2, ..., r^LANES in radix 2^26, laid out for {@link VectorPoly1305#blocks}. */
  private void powers() {
    if (pow == null) {
      rk = new long[5 * VectorPoly1305.LANES];
      pow = new long[VectorPoly1305.POWERS];
    }
    long[] k = rk;
    k[0] = r0 & M26;
    k[1] = (r0 >>> 26) & M26;
    k[2] = ((r0 >>> 52) | (r1 << 12)) & M26;
    k[3] = (r1 >>> 14) & M26;
    k[4] = r1 >>> 40;
    for (int o = 5; o < k.length; o += 5) {
      mul26(k, o - 5, 0, o);
    }
    VectorPoly1305.powers(k, pow);
    powReady = true;
  }

  /**
   * {@code k[o..o+5) = k[a..a+5) * k[b..b+5) mod p} in radix 2^26 (limbs below 2^27 in and out;
   * congruent, not fully reduced).
   */
  private static void mul26(long[] k, int a, int b, int o) {
    long a0 = k[a];
    long a1 = k[a + 1];
    long a2 = k[a + 2];
    long a3 = k[a + 3];
    long a4 = k[a + 4];
    long b0 = k[b];
    long b1 = k[b + 1];
    long b2 = k[b + 2];
    long b3 = k[b + 3];
    long b4 = k[b + 4];
    long d0 = a0 * b0 + 5 * (a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1);
    long d1 = a0 * b1 + a1 * b0 + 5 * (a2 * b4 + a3 * b3 + a4 * b2);
    long d2 = a0 * b2 + a1 * b1 + a2 * b0 + 5 * (a3 * b4 + a4 * b3);
    long d3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + 5 * (a4 * b4);
    long d4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;
    d1 += d0 >>> 26;
    d2 += d1 >>> 26;
    d3 += d2 >>> 26;
    d4 += d3 >>> 26;
    long t0 = (d0 & M26) + 5 * (d4 >>> 26);
    k[o] = t0 & M26;
    k[o + 1] = (d1 & M26) + (t0 >>> 26);
    k[o + 2] = d2 & M26;
    k[o + 3] = d3 & M26;
    k[o + 4] = d4 & M26;
  }

  /**
   * Carry out of the unsigned 64-bit sum {@code s = a + b} of two operands (no carry in). C2
   * compiles the unsigned compare to cmp + setb, no branch: a shorter dependency chain than the
   * bitwise formula of {@link #carry3}, about 1.4x the blocks per second.
   */
  private static long carry(long a, long s) {
    return Long.compareUnsigned(s, a) < 0 ? 1L : 0L;
  }

  /** Carry out of {@code s = a + b + carry-in}: the majority of the top bits, without branches. */
  private static long carry3(long a, long b, long s) {
    return ((a & b) | ((a | b) & ~s)) >>> 63;
  }

  /** The inner loop: {@code n} whole blocks, each with {@code hibit} at bit 128. */
  private void blocks(byte[] b, int off, int n, long hibit) {
    final long r0 = this.r0;
    final long r1 = this.r1;
    final long s1 = this.s1;
    long h0 = this.h0;
    long h1 = this.h1;
    long h2 = this.h2;
    for (int i = 0; i < n; i++, off += 16) {
      long m0 = (long) LE64.get(b, off);
      long m1 = (long) LE64.get(b, off + 8);
      // h += m
      long t0 = h0 + m0;
      long c = carry(h0, t0);
      long t1 = h1 + m1 + c;
      c = carry3(h1, m1, t1); // m1 + c may wrap: needs the 3-input form
      h2 += c + hibit;
      h0 = t0;
      h1 = t1;

      // d = h * r (mod p, partially): d0 = h0 r0 + h1 s1; d1 = h0 r1 + h1 r0 + h2 s1; d2 = h2 r0
      long lo00 = h0 * r0;
      long hi00 = Math.unsignedMultiplyHigh(h0, r0);
      long lo1s = h1 * s1;
      long hi1s = Math.unsignedMultiplyHigh(h1, s1);
      long lo01 = h0 * r1;
      long hi01 = Math.unsignedMultiplyHigh(h0, r1);
      long lo10 = h1 * r0;
      long hi10 = Math.unsignedMultiplyHigh(h1, r0);
      long h2s = h2 * s1; // h2 < 8 and s1 < 2^61: no overflow
      long h2r = h2 * r0;

      long d0 = lo00 + lo1s;
      long d0hi = hi00 + hi1s + carry(lo00, d0);

      long d1 = lo01 + lo10;
      long d1hi = hi01 + hi10 + carry(lo01, d1);
      long u = d1 + h2s;
      d1hi += carry(d1, u);
      d1 = u + d0hi;
      d1hi += carry(u, d1);

      // h2:h1:h0 = d1hi + h2r : d1 : d0, then fold the bits above 2^130 back in times 5.
      long top = d1hi + h2r;
      long fold = (top >>> 2) + (top & ~3L);
      h2 = top & 3;
      h0 = d0 + fold;
      c = carry(d0, h0);
      h1 = d1 + c;
      h2 += carry(d1, h1);
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
  }

  /** Compares two tags in time independent of where they differ. */
  public static boolean tagsEqual(byte[] a, int aOff, byte[] b, int bOff) {
    int diff = 0;
    for (int i = 0; i < TAG_SIZE; i++) {
      diff |= a[aOff + i] ^ b[bOff + i];
    }
    return diff == 0;
  }

  /** Convenience for one-shot use (tests, small messages). */
  public static byte[] mac(byte[] key, byte[] msg) {
    return mac(key, msg, true);
  }

  /** {@link #mac(byte[], byte[])} with the vector path allowed or not. */
  static byte[] mac(byte[] key, byte[] msg, boolean simd) {
    Poly1305 p = new Poly1305(simd);
    p.init(key, 0);
    p.update(msg, 0, msg.length);
    byte[] tag = new byte[TAG_SIZE];
    p.finish(tag, 0);
    return tag;
  }
}
