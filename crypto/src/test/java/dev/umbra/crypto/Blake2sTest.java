package dev.umbra.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * BLAKE2s against the canonical BLAKE2 KAT and the 16-byte keyed MAC vectors (as collected in
 * GeiserX/tailscale-rs tests/vectors/blake2s_kat.json), and the Noise KDF against wireguard-go's
 * device/kdf_test.go.
 */
class Blake2sTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Inputs and keys of length n are the bytes 00 01 .. n-1. */
  private static byte[] seq(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  @ParameterizedTest
  @CsvSource({
    "0, 69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9",
    "1, e34d74dbaf4ff4c6abd871cc220451d2ea2648846c7757fbaac82fe51ad64bea",
    "3, e8f91c6ef232a041452ab0e149070cdd7dd1769e75b3a5921be37876c45c9900",
    "64, 56f34e8b96557e90c1f24b52d0c89d51086acf1b00f634cf1dde9233b8eaaa3e"
  })
  void hash(int len, String expected) {
    assertThat(HEX.formatHex(Blake2s.hash(seq(len)))).isEqualTo(expected);
  }

  @Test
  void hashOfPartsIsHashOfConcatenation() {
    assertThat(
            HEX.formatHex(
                Blake2s.hash(
                    "a".getBytes(StandardCharsets.US_ASCII),
                    "bc".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
  }

  @ParameterizedTest
  @CsvSource({
    "32, 0, 9536f9b267655743dee97b8a670f9f53",
    "32, 64, f1efa90d2547036841ecd3627fafbc36",
    "16, 0, af4e5d3bb230e9ff9096ca6f7c501f76",
    "16, 32, 6b363e9519590c23cda5d0e30b29e1f1"
  })
  void mac16(int keyLen, int len, String expected) {
    byte[] in = seq(len);
    assertThat(HEX.formatHex(Blake2s.mac(seq(keyLen), in, 0, in.length))).isEqualTo(expected);
  }

  @Test
  void macOfAbc() {
    byte[] in = "xabcx".getBytes(StandardCharsets.US_ASCII);
    assertThat(HEX.formatHex(Blake2s.mac(seq(16), in, 1, 3)))
        .isEqualTo("75296c2d2c0f51210b383f386bc8b1ff");
  }

  @Test
  void kdfMatchesWireguardGoVector() {
    byte[][] t =
        Blake2s.kdf(
            3,
            "test-key".getBytes(StandardCharsets.US_ASCII),
            "test-input".getBytes(StandardCharsets.US_ASCII));
    assertThat(HEX.formatHex(t[0]))
        .isEqualTo("6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633");
    assertThat(HEX.formatHex(t[2]))
        .isEqualTo("fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24");
    // KDF1 and KDF2 are prefixes of KDF3
    byte[][] t2 =
        Blake2s.kdf(
            2,
            "test-key".getBytes(StandardCharsets.US_ASCII),
            "test-input".getBytes(StandardCharsets.US_ASCII));
    assertThat(t2[0]).isEqualTo(t[0]);
    assertThat(t2[1]).isEqualTo(t[1]);
  }
}
