package dev.umbra.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** X25519 against RFC 7748 section 6.1 and the all-zero (low-order point) rejection. */
class X25519Test {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] ALICE_PRIV =
      HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  private static final byte[] ALICE_PUB =
      HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  private static final byte[] BOB_PRIV =
      HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  private static final byte[] BOB_PUB =
      HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

  @Test
  void rfc7748() throws GeneralSecurityException {
    assertThat(X25519.publicKey(ALICE_PRIV)).isEqualTo(ALICE_PUB);
    assertThat(X25519.publicKey(BOB_PRIV)).isEqualTo(BOB_PUB);
    byte[] shared =
        HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    assertThat(X25519.sharedSecret(ALICE_PRIV, BOB_PUB)).isEqualTo(shared);
    assertThat(X25519.sharedSecret(BOB_PRIV, ALICE_PUB)).isEqualTo(shared);
  }

  @Test
  void generatedKeysAgree() throws GeneralSecurityException {
    byte[] a = X25519.generatePrivateKey();
    byte[] b = X25519.generatePrivateKey();
    assertThat(X25519.sharedSecret(a, X25519.publicKey(b)))
        .isEqualTo(X25519.sharedSecret(b, X25519.publicKey(a)));
  }

  @Test
  void lowOrderPointIsRejected() {
    assertThatThrownBy(() -> X25519.sharedSecret(ALICE_PRIV, new byte[32]))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> X25519.sharedSecret(ALICE_PRIV, new byte[31]))
        .isInstanceOf(GeneralSecurityException.class);
  }
}
