package dev.umbra.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/** HChaCha20 and XChaCha20-Poly1305 against draft-irtf-cfrg-xchacha and BouncyCastle. */
class HChaCha20Test {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void hchacha20MatchesDraftSection221() {
    byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    byte[] nonce = HEX.parseHex("000000090000004a0000000031415927");
    assertThat(HEX.formatHex(HChaCha20.subkey(key, nonce)))
        .isEqualTo("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
  }

  @Property(tries = 50)
  void xchachaAgreesWithBouncyCastle(
      @ForAll @Size(32) byte[] key,
      @ForAll @Size(24) byte[] nonce,
      @ForAll @Size(max = 300) byte[] plain,
      @ForAll @Size(max = 20) byte[] aad)
      throws Exception {
    byte[] ours = new byte[plain.length + 16];
    new XChaCha20Poly1305(key).seal(nonce, aad, plain, 0, plain.length, ours, 0);

    var bc = new org.bouncycastle.crypto.modes.XChaCha20Poly1305();
    bc.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
    byte[] theirs = new byte[bc.getOutputSize(plain.length)];
    int n = bc.processBytes(plain, 0, plain.length, theirs, 0);
    bc.doFinal(theirs, n);
    assertThat(ours).isEqualTo(theirs);

    byte[] back = new byte[plain.length];
    new XChaCha20Poly1305(key).open(nonce, aad, ours, 0, ours.length, back, 0);
    assertThat(back).isEqualTo(plain);
  }

  @Test
  void tamperedCiphertextIsRejected() {
    byte[] key = new byte[32];
    byte[] nonce = new byte[24];
    byte[] ct = new byte[16 + 5];
    XChaCha20Poly1305 x = new XChaCha20Poly1305(key);
    x.seal(nonce, null, new byte[5], 0, 5, ct, 0);
    ct[2] ^= 1;
    assertThatThrownBy(() -> x.open(nonce, null, ct, 0, ct.length, new byte[5], 0))
        .isInstanceOf(AEADBadTagException.class);
  }
}
