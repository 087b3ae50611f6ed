package dev.umbra.tor.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.tor.cell.TorProtocolException;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

class TorCertTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Builds a cert-spec certificate signed by {@code sk}, optionally with the signed-with ext. */
  static byte[] cert(int type, byte[] certified, byte[] sk, boolean withKey, int extraExtFlags) {
    byte[] pk = new byte[32];
    Ed25519.generatePublicKey(sk, 0, pk, 0);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(1);
    b.write(type);
    long hours = System.currentTimeMillis() / 3_600_000 + 24;
    b.write((int) (hours >>> 24));
    b.write((int) (hours >>> 16));
    b.write((int) (hours >>> 8));
    b.write((int) hours);
    b.write(1);
    b.writeBytes(certified);
    b.write((withKey ? 1 : 0) + (extraExtFlags >= 0 ? 1 : 0));
    if (withKey) {
      b.writeBytes(new byte[] {0, 32, 4, 0});
      b.writeBytes(pk);
    }
    if (extraExtFlags >= 0) {
      b.writeBytes(new byte[] {0, 1, 9, (byte) extraExtFlags, 0});
    }
    byte[] body = b.toByteArray();
    byte[] sig = new byte[64];
    Ed25519.sign(sk, 0, body, 0, body.length, sig, 0);
    b.writeBytes(sig);
    return b.toByteArray();
  }

  @Test
  void parsesAndVerifies() throws TorProtocolException {
    byte[] sk = new byte[32];
    RANDOM.nextBytes(sk);
    byte[] pk = new byte[32];
    Ed25519.generatePublicKey(sk, 0, pk, 0);
    byte[] certified = new byte[32];
    RANDOM.nextBytes(certified);
    TorCert c = TorCert.parse(cert(4, certified, sk, true, 0));
    assertThat(c.certType()).isEqualTo(4);
    assertThat(c.certifiedKey()).isEqualTo(certified);
    assertThat(c.signingKey()).isEqualTo(pk);
    assertThat(c.verifiedBy(pk)).isTrue();
    assertThat(c.verifiedBy(certified)).isFalse();
    assertThat(c.expires()).isAfter(java.time.Instant.now());
  }

  @Test
  void tamperingBreaksTheSignature() throws TorProtocolException {
    byte[] sk = new byte[32];
    RANDOM.nextBytes(sk);
    byte[] raw = cert(5, new byte[32], sk, true, -1);
    byte[] pk = new byte[32];
    Ed25519.generatePublicKey(sk, 0, pk, 0);
    raw[10] ^= 1;
    assertThat(TorCert.parse(raw).verifiedBy(pk)).isFalse();
  }

  @Test
  void unknownCriticalExtensionIsRejected() {
    byte[] sk = new byte[32];
    RANDOM.nextBytes(sk);
    assertThatThrownBy(() -> TorCert.parse(cert(4, new byte[32], sk, true, 1)))
        .isInstanceOf(TorProtocolException.class)
        .hasMessageContaining("critical");
  }

  @Property
  void hostileBytesOnlyRaiseProtocolErrors(@ForAll @Size(max = 300) byte[] raw) {
    try {
      TorCert.parse(raw);
    } catch (TorProtocolException expected) {
      // fine
    }
  }
}
