package dev.umbra.tor.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** KDF-TOR and the ntor HKDF with the vectors from C tor's test_crypto.c. */
class KdfTest {
  private static String kdfTor(String seed) {
    return HexFormat.of().formatHex(KdfTor.expand(seed.getBytes(StandardCharsets.US_ASCII), 100));
  }

  private static String ntorKdf(String seed) {
    return HexFormat.of()
        .formatHex(
            Hkdf.derive(
                "HmacSHA256",
                seed.getBytes(StandardCharsets.US_ASCII),
                "ntor-curve25519-sha256-1:key_extract".getBytes(StandardCharsets.US_ASCII),
                "ntor-curve25519-sha256-1:key_expand".getBytes(StandardCharsets.US_ASCII),
                100));
  }

  @Test
  void kdfTorVectors() {
    assertThat(kdfTor(""))
        .isEqualTo(
            "5ba93c9db0cff93f52b521d7420e43f6eda2784fbf8b4530d8d246dd74ac53a13471bba17941dff7c4ea21bb365bbeeaf5f2c654883e56d11e43c44e9842926af7ca0a8cca12604f945414f07b01e13da42c6cf1de3abfdea9b95f34687cbbe92b9a7383");
    assertThat(kdfTor("Tor"))
        .isEqualTo(
            "776c6214fc647aaa5f683c737ee66ec44f03d0372e1cce69227950f236ddf1e329a7ce7c227903303f525a8c6662426e8034870642a6dabbd41b5d97ec9bf2312ea729992f48f8ea2d0ba83f45dfda1a80bdc8b80de01b23e3e0ffae099b3e4ccf28dc28");
    assertThat(kdfTor("AN ALARMING ITEM TO FIND ON A MONTHLY AUTO-DEBIT NOTICE"))
        .isEqualTo(
            "a340b5d126086c3ab29c2af4179196dbf95e1c72431419d3314844bf8f6afb6098db952b95581fb6c33625709d6f4400b8e7ace18a70579fad83c0982ef73f89395bcc39493ad53a685854daf2ba9b78733b805d9a6824c907ee1dba5ac27a1e466d4d10");
  }

  @Test
  void ntorHkdfVectors() {
    assertThat(ntorKdf("Tor"))
        .isEqualTo(
            "5521492a85139a8d9107a2d5c0d9c91610d0f95989975ebee6c02a4f8d622a6cfdf9b7c7edd3832e2760ded1eac309b76f8d66c4a3c4d6225429b3a016e3c3d45911152fc87bc2de9630c3961be9fdb9f93197ea8e5977180801926d3321fa21513e59ac");
    assertThat(ntorKdf("AN ALARMING ITEM TO FIND ON YOUR CREDIT-RATING STATEMENT"))
        .isEqualTo(
            "a2aa9b50da7e481d30463adb8f233ff06e9571a0ca6ab6df0fb206fa34e5bc78d063fc291501beec53b36e5a0e434561200c5f8bd13e0f88b3459600b4dc21d69363e2895321c06184879d94b18f078411be70b767c7fc40679a9440a0c95ea83a23efbf");
  }
}
