package dev.umbra.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The Vector API keystream (eight or sixteen blocks per step) against the one-block {@link
 * ChaCha20Core}: any counter (also across the 2^32 wrap, where RFC 8439's 32-bit counter rolls
 * over), offsets, whole slabs, a single slab's keystream and the partial XOR of any length, in
 * place or not.
 */
class VectorChaCha20Test {

  /** The surefire runs that force a width (see crypto/pom.xml) do get it. */
  @Test
  void forcedWidthIsTheOneUsed() {
    String bits = System.getProperty("umbra.crypto.simd.bits");
    assumeTrue(bits != null);
    int lanes32 = Integer.parseInt(bits) / 32;
    assertThat(VectorChaCha20.SLAB).isEqualTo(64 * lanes32);
    assertThat(VectorPoly1305.LANES).isEqualTo(lanes32 / 2);
  }

  @Property(tries = 60)
  void slabsAgreeWithTheCoreAtAnyCounter(
      @ForAll @IntRange(min = 1, max = 5) int slabs,
      @ForAll @IntRange(min = 0, max = 40) int nearWrap,
      @ForAll boolean wrap,
      @ForAll @IntRange(min = 0, max = 9) int inOff,
      @ForAll @IntRange(min = 0, max = 9) int outOff,
      @ForAll boolean inPlace,
      @ForAll long seed) {
    Random random = new Random(seed);
    int counter = wrap ? -nearWrap : random.nextInt();
    int[] s = state(random, counter);
    int len = slabs * VectorChaCha20.SLAB;
    byte[] in = new byte[inOff + len];
    random.nextBytes(in);

    byte[] expected = new byte[len];
    int[] core = s.clone();
    ChaCha20Core.xor(core, new int[16], in, inOff, expected, 0, len);

    int[] vec = s.clone();
    byte[] out;
    int at;
    if (inPlace) {
      out = in.clone();
      at = inOff;
      VectorChaCha20.xor(vec, scratch(), out, at, out, at, slabs);
    } else {
      out = new byte[outOff + len];
      at = outOff;
      VectorChaCha20.xor(vec, scratch(), in, inOff, out, at, slabs);
    }
    assertThat(Arrays.copyOfRange(out, at, at + len)).isEqualTo(expected);
    assertThat(vec[12]).isEqualTo(core[12]);
  }

  @Property(tries = 60)
  void keystreamAndPartialXorAgreeWithTheCore(
      @ForAll @IntRange(min = 0, max = 1024) int len,
      @ForAll @IntRange(min = 0, max = 40) int nearWrap,
      @ForAll @IntRange(min = 0, max = 64) int kbOff,
      @ForAll @IntRange(min = 0, max = 9) int off,
      @ForAll boolean inPlace,
      @ForAll long seed) {
    Random random = new Random(seed);
    int[] s = state(random, -nearWrap);
    int[] core = s.clone();
    byte[] expectedStream = new byte[VectorChaCha20.SLAB];
    ChaCha20Core.xor(
        core,
        new int[16],
        new byte[expectedStream.length],
        0,
        expectedStream,
        0,
        VectorChaCha20.SLAB);

    byte[] kb = new byte[VectorChaCha20.SLAB];
    int[] vec = s.clone();
    VectorChaCha20.keystream(vec, scratch(), kb);
    assertThat(kb).isEqualTo(expectedStream);
    assertThat(vec[12]).isEqualTo(core[12]);

    int n = Math.min(len, VectorChaCha20.SLAB - kbOff);
    byte[] in = new byte[off + n];
    random.nextBytes(in);
    byte[] expected = new byte[n];
    for (int i = 0; i < n; i++) {
      expected[i] = (byte) (in[off + i] ^ kb[kbOff + i]);
    }
    byte[] out = inPlace ? in : new byte[off + n];
    VectorChaCha20.xor(in, off, kb, kbOff, out, off, n);
    assertThat(Arrays.copyOfRange(out, off, off + n)).isEqualTo(expected);
  }

  private static int[] state(Random random, int counter) {
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    random.nextBytes(key);
    random.nextBytes(nonce);
    int[] s = new int[16];
    ChaCha20Core.init(s, key, nonce, counter);
    return s;
  }

  private static int[] scratch() {
    return new int[VectorChaCha20.SCRATCH];
  }
}
