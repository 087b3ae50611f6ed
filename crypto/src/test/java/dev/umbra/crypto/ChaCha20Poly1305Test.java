package dev.umbra.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Our ChaCha20-Poly1305 against RFC 8439 §2.8.2 and against the JDK's, on both paths: the Vector
 * API one (surefire adds {@code jdk.incubator.vector}) and the JDK-keystream one.
 */
class ChaCha20Poly1305Test {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void theVectorPathIsOnWhenTheModuleIsPresent() {
    assertThat(Simd.AVAILABLE).isTrue();
    assertThat(new ChaCha20Poly1305(new byte[32]).mode()).isEqualTo(ChaCha20Poly1305.Mode.AUTO);
  }

  /** The default mode starts on the plain path and moves to the vector one once it is compiled. */
  @Test
  void autoModeSwitchesToTheVectorPathOnceWarm() throws Exception {
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    byte[] plain = new byte[5000];
    new Random(3).nextBytes(plain);
    byte[] expected = jdkSeal(key, nonce, new byte[0], plain);
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(key);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
    do {
      byte[] out = new byte[plain.length + 16];
      aead.seal(nonce, null, plain, 0, plain.length, out, 0);
      assertThat(out).isEqualTo(expected);
      if (!Simd.warm()) {
        Thread.sleep(50);
      }
    } while (!Simd.warm() && System.nanoTime() < deadline);
    assertThat(Simd.warm()).as("vector code warm within 120 s").isTrue();
    byte[] out = new byte[plain.length + 16];
    aead.seal(nonce, null, plain, 0, plain.length, out, 0);
    assertThat(out).isEqualTo(expected);
  }

  @Test
  void rfc8439Section282() throws Exception {
    rfc8439Section282(true);
    rfc8439Section282(false);
  }

  private static void rfc8439Section282(boolean simd) throws Exception {
    byte[] plain =
        ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the"
                + " future, sunscreen would be it.")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
    byte[] key = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] nonce = HEX.parseHex("070000004041424344454647");
    byte[] out = new byte[plain.length + 16];
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(key, mode(simd));
    assertThat(aead.seal(nonce, aad, plain, 0, plain.length, out, 0)).isEqualTo(out.length);
    String hex = HEX.formatHex(out);
    assertThat(hex).startsWith("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6");
    assertThat(hex).endsWith("61161ae10b594f09e26a7e902ecbd0600691");
    assertThat(out).isEqualTo(jdkSeal(key, nonce, aad, plain));

    byte[] back = new byte[plain.length];
    assertThat(aead.open(nonce, aad, out, 0, out.length, back, 0)).isEqualTo(plain.length);
    assertThat(back).isEqualTo(plain);
  }

  @Property(tries = 120)
  void agreesWithTheJdkAndRoundTrips(
      @ForAll @Size(32) byte[] key,
      @ForAll @Size(12) byte[] nonce,
      @ForAll @Size(max = 70) byte[] aad,
      @ForAll @IntRange(min = 0, max = 70_000) int length,
      @ForAll long seed,
      @ForAll boolean simd)
      throws Exception {
    byte[] plain = new byte[length];
    new Random(seed).nextBytes(plain);
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(key, mode(simd));
    byte[] aadOrNull = aad.length == 0 && (seed & 1) == 0 ? null : aad;

    byte[] ours = new byte[length + 16];
    aead.seal(nonce, aadOrNull, plain, 0, length, ours, 0);
    assertThat(ours).isEqualTo(jdkSeal(key, nonce, aad, plain));

    // In place, at an offset, with the same instance reused.
    byte[] buf = new byte[length + 16 + 7];
    System.arraycopy(ours, 0, buf, 7, ours.length);
    assertThat(aead.open(nonce, aadOrNull, buf, 7, ours.length, buf, 7)).isEqualTo(length);
    assertThat(Arrays.copyOfRange(buf, 7, 7 + length)).isEqualTo(plain);
  }

  /**
   * Lengths around the vector slabs, the 64-byte scalar tail and the one-step limit (a slab less
   * the key block).
   */
  @Property(tries = 80)
  void slabAndTailBoundariesAgreeWithTheJdk(
      @ForAll @IntRange(min = 0, max = 6) int slabs,
      @ForAll @IntRange(min = -3, max = 3) int delta,
      @ForAll("boundaries") int tail,
      @ForAll long seed)
      throws Exception {
    int length = Math.max(0, slabs * VectorChaCha20.SLAB + tail + delta);
    Random random = new Random(seed);
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    byte[] plain = new byte[length];
    random.nextBytes(key);
    random.nextBytes(nonce);
    random.nextBytes(plain);
    byte[] expected = jdkSeal(key, nonce, new byte[0], plain);
    for (boolean simd : new boolean[] {true, false}) {
      ChaCha20Poly1305 aead = new ChaCha20Poly1305(key, mode(simd));
      byte[] out = new byte[length + 16];
      aead.seal(nonce, null, plain, 0, length, out, 0);
      assertThat(out).isEqualTo(expected);
      byte[] back = new byte[length];
      aead.open(nonce, null, out, 0, out.length, back, 0);
      assertThat(back).isEqualTo(plain);
    }
  }

  /**
   * Short messages (the vector path takes their Poly1305 key and keystream from one step up to a
   * slab less 64 bytes): sealed and opened in place at an offset, with and without aad.
   */
  @Property(tries = 100)
  void shortMessagesInPlaceAgreeWithTheJdk(
      @ForAll @IntRange(min = 0, max = 1100) int length,
      @ForAll @IntRange(min = 0, max = 9) int off,
      @ForAll @Size(max = 40) byte[] aad,
      @ForAll boolean simd,
      @ForAll long seed)
      throws Exception {
    Random random = new Random(seed);
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    byte[] plain = new byte[length];
    random.nextBytes(key);
    random.nextBytes(nonce);
    random.nextBytes(plain);
    byte[] expected = jdkSeal(key, nonce, aad, plain);
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(key, mode(simd));
    byte[] buf = new byte[off + length + 16];
    System.arraycopy(plain, 0, buf, off, length);
    assertThat(aead.seal(nonce, aad, buf, off, length, buf, off)).isEqualTo(length + 16);
    assertThat(Arrays.copyOfRange(buf, off, off + length + 16)).isEqualTo(expected);
    assertThat(aead.open(nonce, aad, buf, off, length + 16, buf, off)).isEqualTo(length);
    assertThat(Arrays.copyOfRange(buf, off, off + length)).isEqualTo(plain);
  }

  @Provide
  Arbitrary<Integer> boundaries() {
    int slab = VectorChaCha20.SLAB;
    return Arbitraries.of(0, 1, 63, 64, 65, 191, 255, 256, 257, slab - 65, slab - 64, slab - 1);
  }

  @Property(tries = 60)
  void anyTamperingIsRejectedAndNothingIsWritten(
      @ForAll @Size(32) byte[] key,
      @ForAll @Size(12) byte[] nonce,
      @ForAll @Size(max = 300) byte[] plain,
      @ForAll @Size(max = 20) byte[] aad,
      @ForAll @IntRange(min = 0, max = 10_000) int where,
      @ForAll @IntRange(min = 0, max = 7) int bit,
      @ForAll boolean simd) {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(key, mode(simd));
    byte[] sealed = new byte[plain.length + 16];
    aead.seal(nonce, aad, plain, 0, plain.length, sealed, 0);
    int total = sealed.length + aad.length;
    int at = where % total;
    byte[] badAad = aad.clone();
    if (at < sealed.length) {
      sealed[at] ^= (byte) (1 << bit);
    } else {
      badAad[at - sealed.length] ^= (byte) (1 << bit);
    }
    byte[] out = new byte[plain.length];
    Arrays.fill(out, (byte) 0x5a);
    assertThatThrownBy(() -> aead.open(nonce, badAad, sealed, 0, sealed.length, out, 0))
        .isInstanceOf(AEADBadTagException.class);
    byte[] untouched = new byte[plain.length];
    Arrays.fill(untouched, (byte) 0x5a);
    assertThat(out).isEqualTo(untouched);
  }

  @Test
  void wrongNonceAndShortInputAreRejected() {
    wrongNonceAndShortInputAreRejected(true);
    wrongNonceAndShortInputAreRejected(false);
  }

  private static void wrongNonceAndShortInputAreRejected(boolean simd) {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(new byte[32], mode(simd));
    byte[] sealed = new byte[16 + 3];
    aead.seal(new byte[12], null, new byte[3], 0, 3, sealed, 0);
    byte[] other = new byte[12];
    other[11] = 1;
    assertThatThrownBy(() -> aead.open(other, null, sealed, 0, sealed.length, new byte[3], 0))
        .isInstanceOf(AEADBadTagException.class);
    assertThatThrownBy(() -> aead.open(new byte[12], null, sealed, 0, 15, new byte[3], 0))
        .isInstanceOf(AEADBadTagException.class);
    // The same instance keeps working after a rejection.
    byte[] back = new byte[3];
    try {
      aead.open(new byte[12], null, sealed, 0, sealed.length, back, 0);
    } catch (AEADBadTagException e) {
      throw new AssertionError(e);
    }
    assertThat(back).isEqualTo(new byte[3]);
  }

  private static ChaCha20Poly1305.Mode mode(boolean simd) {
    return simd ? ChaCha20Poly1305.Mode.VECTOR : ChaCha20Poly1305.Mode.PLAIN;
  }

  private static byte[] jdkSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plain)
      throws Exception {
    Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
    if (aad.length > 0) {
      c.updateAAD(aad);
    }
    return c.doFinal(plain);
  }
}
