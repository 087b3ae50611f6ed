package dev.umbra.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** BLAKE3 against the official test_vectors.json (input byte i = i mod 251). */
class Blake3Test {
  private static final String CONTEXT = "BLAKE3 2019-12-27 16:29:52 test vectors context";

  private static byte[] input(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 251);
    }
    return b;
  }

  @Test
  void hash() {
    assertThat(HexFormat.of().formatHex(Blake3.hash(input(0), 32)))
        .isEqualTo("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    assertThat(HexFormat.of().formatHex(Blake3.hash(input(1024), 32)))
        .isEqualTo("42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7");
  }

  @Test
  void deriveKey() {
    assertThat(HexFormat.of().formatHex(Blake3.deriveKey(CONTEXT, input(0), 32)))
        .isEqualTo("2cc39783c223154fea8dfb7c1b1660f2ac2dcbd1c1de8277b0b0dd39b7e50d7d");
    assertThat(HexFormat.of().formatHex(Blake3.deriveKey(CONTEXT, input(1), 32)))
        .isEqualTo("b3e2e340a117a499c6cf2398a19ee0d29cca2bb7404c73063382693bf66cb06c");
    assertThat(HexFormat.of().formatHex(Blake3.deriveKey(CONTEXT, input(1024), 32)))
        .isEqualTo("7356cd7720d5b66b6d0697eb3177d9f8d73a4a5c5e968896eb6a689684302706");
  }
}
