package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.crypto.X25519;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** {@code generate wg-keypair} prints a clamped private key and its X25519 public key. */
class GenerateWgKeypairTest {
  @Test
  void printsAMatchingKeyPairInSingBoxFormat() {
    var r = CliRunner.run("generate", "wg-keypair");
    assertThat(r.code()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).startsWith("PrivateKey: ");
    assertThat(lines[1]).startsWith("PublicKey: ");
    byte[] priv = Base64.getDecoder().decode(lines[0].substring("PrivateKey: ".length()));
    byte[] pub = Base64.getDecoder().decode(lines[1].substring("PublicKey: ".length()));
    assertThat(priv).hasSize(32);
    assertThat(priv[0] & 7).isZero();
    assertThat(priv[31] & 0xc0).isEqualTo(0x40);
    assertThat(pub).isEqualTo(X25519.publicKey(priv));
    assertThat(CliRunner.run("generate", "wg-keypair").out()).isNotEqualTo(r.out());
  }
}
