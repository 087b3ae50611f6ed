package dev.umbra.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** HKDF against RFC 5869 appendix A (test cases 1 and 4). */
class HkdfTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void sha256TestCase1() {
    byte[] okm =
        Hkdf.derive(
            "HmacSHA256",
            HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
            HEX.parseHex("000102030405060708090a0b0c"),
            HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"),
            42);
    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void sha1TestCase4() {
    byte[] okm =
        Hkdf.derive(
            "HmacSHA1",
            HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b"),
            HEX.parseHex("000102030405060708090a0b0c"),
            HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"),
            42);
    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896");
  }
}
