package dev.umbra.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * Poly1305 against RFC 8439 (§2.5.2, Appendix A.3) and BouncyCastle on random and edge inputs, on
 * both paths (the Vector API one takes runs of 16 or more whole blocks).
 */
class Poly1305Test {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void rfc8439Section252() {
    byte[] key = HEX.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
    byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
    assertThat(HEX.formatHex(Poly1305.mac(key, msg))).isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
  }

  @Test
  void rfc8439AppendixA3ZeroKey() {
    assertThat(Poly1305.mac(new byte[32], new byte[64])).isEqualTo(new byte[16]);
  }

  @Test
  void rfc8439AppendixA3Vector2And3() {
    byte[] text =
        ("Any submission to the IETF intended by the Contributor for publication as all or part of"
                + " an IETF Internet-Draft or RFC and any statement made within the context of an IETF"
                + " activity is considered an \"IETF Contribution\". Such statements include oral"
                + " statements in IETF sessions, as well as written and electronic communications made"
                + " at any time or place, which are addressed to")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] key2 = HEX.parseHex("0".repeat(32) + "36e5f6b5c5e06070f0efca96227a863e");
    assertThat(HEX.formatHex(Poly1305.mac(key2, text)))
        .isEqualTo("36e5f6b5c5e06070f0efca96227a863e");
    byte[] key3 = HEX.parseHex("36e5f6b5c5e06070f0efca96227a863e" + "0".repeat(32));
    assertThat(HEX.formatHex(Poly1305.mac(key3, text)))
        .isEqualTo("f3477e7cd95417af89a6b8794c310cf0");
  }

  /** Appendix A.3 vectors 5–11: the carry and final-reduction edge cases. */
  @Test
  void rfc8439AppendixA3EdgeCases() {
    String r2 = "02" + "00".repeat(15);
    String r1 = "01" + "00".repeat(15);
    String zero = "00".repeat(16);
    String ff = "ff".repeat(16);
    check(r2 + zero, ff, "03" + "00".repeat(15));
    check(r2 + ff, "02" + "00".repeat(15), "03" + "00".repeat(15));
    check(r1 + zero, ff + "f0" + "ff".repeat(15) + "11" + "00".repeat(15), "05" + "00".repeat(15));
    check(r1 + zero, ff + "fb" + "fe".repeat(15) + "01".repeat(16), zero);
    check(r2 + zero, "fd" + "ff".repeat(15), "fa" + "ff".repeat(15));
    String r10 = "0100000000000000" + "0400000000000000";
    check(
        r10 + zero,
        "e33594d7505e43b9"
            + "0000000000000000"
            + "3394d7505e4379cd"
            + "0100000000000000"
            + zero
            + "0100000000000000"
            + "0000000000000000",
        "1400000000000000" + "5500000000000000");
    check(
        r10 + zero,
        "e33594d7505e43b9" + "0000000000000000" + "3394d7505e4379cd" + "0100000000000000" + zero,
        "1300000000000000" + "0000000000000000");
  }

  private static void check(String keyHex, String msgHex, String tagHex) {
    byte[] key = HEX.parseHex(keyHex);
    byte[] msg = HEX.parseHex(msgHex);
    assertThat(HEX.formatHex(Poly1305.mac(key, msg))).isEqualTo(tagHex);
    assertThat(Poly1305.mac(key, msg)).isEqualTo(bouncyCastle(key, msg));
    assertThat(Poly1305.mac(key, msg, false)).isEqualTo(bouncyCastle(key, msg));
  }

  /**
   * The edge-case messages repeated past the vector threshold: all-ones blocks and keys that drive
   * every radix-2^26 limb and the final carries to their limits.
   */
  @Property(tries = 200)
  void vectorPathAgreesOnExtremeInputs(
      @ForAll("keys") byte[] key,
      @ForAll("extremes") byte fill,
      @ForAll @IntRange(min = 256, max = 4200) int length,
      @ForAll @IntRange(min = 0, max = 15) int head) {
    byte[] msg = new byte[length];
    Arrays.fill(msg, fill);
    msg[length / 2] = (byte) 0xfb;
    byte[] expected = bouncyCastle(key, msg);
    assertThat(Poly1305.mac(key, msg, true)).isEqualTo(expected);
    assertThat(Poly1305.mac(key, msg, false)).isEqualTo(expected);
    // A few bytes first, so the vector runs start inside the message, then one big update.
    Poly1305 p = new Poly1305(true);
    p.init(key, 0);
    p.update(msg, 0, head);
    p.update(msg, head, length - head);
    byte[] tag = new byte[16];
    p.finish(tag, 0);
    assertThat(tag).isEqualTo(expected);
  }

  @Provide
  Arbitrary<Byte> extremes() {
    return Arbitraries.of((byte) 0xff, (byte) 0xfe, (byte) 0xfb, (byte) 0, (byte) 0x80);
  }

  @Property(tries = 300)
  void agreesWithBouncyCastle(
      @ForAll("keys") byte[] key,
      @ForAll("messages") byte[] msg,
      @ForAll @IntRange(min = 1, max = 40) int step,
      @ForAll boolean simd) {
    assertThat(incremental(key, msg, step, simd)).isEqualTo(bouncyCastle(key, msg));
  }

  /** Long messages, fed in pieces of any size, all-ones or random. */
  @Property(tries = 150)
  void longMessagesAgreeWithBouncyCastle(
      @ForAll("keys") byte[] key,
      @ForAll @IntRange(min = 1000, max = 40_000) int length,
      @ForAll long seed,
      @ForAll boolean allOnes,
      @ForAll @IntRange(min = 1, max = 20_000) int step,
      @ForAll boolean simd) {
    byte[] msg = new byte[length];
    if (allOnes) {
      Arrays.fill(msg, (byte) 0xff);
    } else {
      new java.util.Random(seed).nextBytes(msg);
    }
    assertThat(incremental(key, msg, step, simd)).isEqualTo(bouncyCastle(key, msg));
    assertThat(Poly1305.mac(key, msg, simd)).isEqualTo(bouncyCastle(key, msg));
  }

  @Property(tries = 50)
  void tagComparisonFindsEveryDifference(
      @ForAll @Size(16) byte[] tag, @ForAll @IntRange(min = 0, max = 15) int at) {
    byte[] other = tag.clone();
    assertThat(Poly1305.tagsEqual(tag, 0, other, 0)).isTrue();
    other[at] ^= 0x40;
    assertThat(Poly1305.tagsEqual(tag, 0, other, 0)).isFalse();
  }

  /** Keys and messages biased towards all-ones bytes, which drive the limbs to their limits. */
  @Provide
  Arbitrary<byte[]> keys() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofSize(32),
        Arbitraries.of((byte) 0xff, (byte) 0xfe, (byte) 0, (byte) 1)
            .array(byte[].class)
            .ofSize(32));
  }

  @Provide
  Arbitrary<byte[]> messages() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(600),
        Arbitraries.of((byte) 0xff, (byte) 0xfb, (byte) 0xfe, (byte) 0)
            .array(byte[].class)
            .ofMaxSize(200));
  }

  private static byte[] incremental(byte[] key, byte[] msg, int step, boolean simd) {
    Poly1305 p = new Poly1305(simd);
    p.init(key, 0);
    for (int off = 0; off < msg.length; off += step) {
      p.update(msg, off, Math.min(step, msg.length - off));
    }
    byte[] tag = new byte[16];
    p.finish(tag, 0);
    return tag;
  }

  private static byte[] bouncyCastle(byte[] key, byte[] msg) {
    var bc = new org.bouncycastle.crypto.macs.Poly1305();
    bc.init(new KeyParameter(Arrays.copyOf(key, 32)));
    bc.update(msg, 0, msg.length);
    byte[] tag = new byte[16];
    bc.doFinal(tag, 0);
    return tag;
  }
}
