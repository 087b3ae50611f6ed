package dev.umbra.wireguard.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.crypto.X25519;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Round trips with random keys, tampering, and hostile bytes for the handshake and transport. */
class HandshakePropertiesTest {
  private static final StaticIdentity A = StaticIdentity.generate();
  private static final StaticIdentity B = StaticIdentity.generate();
  private static final byte[] PSK = new byte[32];

  private static InitiatorHandshake start(int index) throws WireGuardException {
    return InitiatorHandshake.start(
        A, B.publicKey(), PSK, X25519.generatePrivateKey(), Tai64n.of(Instant.now()), index);
  }

  @Property(tries = 15)
  void handshakeAgreesOnKeys(@ForAll int i1, @ForAll int i2) throws Exception {
    InitiatorHandshake init = start(i1);
    byte[] m1 = init.message().encode();
    new CookieGenerator(B.publicKey(), System::nanoTime).addMacs(m1);
    CookieChecker checker = new CookieChecker(B.publicKey(), System::nanoTime, new SecureRandom());
    assertThat(checker.checkMac1(m1, 0, m1.length)).isTrue();
    ResponderHandshake resp = ResponderHandshake.consume(B, Messages.Initiation.decode(m1, 0, 148));
    assertThat(resp.peerStatic()).isEqualTo(A.publicKey());
    ResponderHandshake.Result r = resp.respond(PSK, X25519.generatePrivateKey(), i2);
    byte[] m2 = r.message().encode();
    new CookieGenerator(A.publicKey(), System::nanoTime).addMacs(m2);
    assertThat(
            new CookieChecker(A.publicKey(), System::nanoTime, new SecureRandom())
                .checkMac1(m2, 0, m2.length))
        .isTrue();
    SessionKeys k = init.finish(Messages.Response.decode(m2, 0, 92));
    assertThat(k.sendKey()).isEqualTo(r.keys().receiveKey());
    assertThat(k.receiveKey()).isEqualTo(r.keys().sendKey());
    assertThat(k.localIndex()).isEqualTo(r.keys().remoteIndex()).isEqualTo(i1);
    assertThat(k.remoteIndex()).isEqualTo(r.keys().localIndex()).isEqualTo(i2);
  }

  @Property(tries = 40)
  void anyFlippedBitInAnInitiationIsRejected(@ForAll @IntRange(min = 0, max = 147 * 8) int bit)
      throws Exception {
    byte[] m1 = start(1).message().encode();
    new CookieGenerator(B.publicKey(), System::nanoTime).addMacs(m1);
    m1[bit / 8] ^= (byte) (1 << (bit % 8));
    CookieChecker checker = new CookieChecker(B.publicKey(), System::nanoTime, new SecureRandom());
    boolean rejected;
    if (Messages.typeOf(m1, 0, m1.length) != Messages.TYPE_INITIATION) {
      rejected = true;
    } else if (bit >= 132 * 8) {
      // mac2 is not covered by mac1 (it is only checked under load); the Noise part stays valid
      rejected = !checker.checkMac1(m1, 0, m1.length);
      assertThat(rejected).isFalse();
      return;
    } else {
      rejected = !checker.checkMac1(m1, 0, m1.length);
    }
    assertThat(rejected).isTrue();
    if (bit >= 4 * 8 && bit < 116 * 8) {
      // even without the MAC check the Noise layer refuses it (except the sender index)
      if (bit >= 8 * 8) {
        assertThatThrownBy(
                () -> ResponderHandshake.consume(B, Messages.Initiation.decode(m1, 0, 148)))
            .isInstanceOf(WireGuardException.class);
      }
    }
  }

  @Test
  void responseToAnotherHandshakeIsRejected() throws Exception {
    InitiatorHandshake first = start(1);
    InitiatorHandshake second = start(2);
    ResponderHandshake resp =
        ResponderHandshake.consume(B, Messages.Initiation.decode(first.message().encode(), 0, 148));
    Messages.Response r = resp.respond(PSK, X25519.generatePrivateKey(), 9).message();
    assertThatThrownBy(() -> second.finish(r)).isInstanceOf(WireGuardException.class);
    // same index but the other handshake's state: the empty AEAD does not open
    Messages.Response forged = new Messages.Response(9, 2, r.ephemeral(), r.encryptedNothing());
    assertThatThrownBy(() -> second.finish(forged)).isInstanceOf(WireGuardException.class);
  }

  @Test
  void wrongPresharedKeyFailsTheResponse() throws Exception {
    InitiatorHandshake init = start(1);
    ResponderHandshake resp =
        ResponderHandshake.consume(B, Messages.Initiation.decode(init.message().encode(), 0, 148));
    byte[] otherPsk = new byte[32];
    otherPsk[0] = 1;
    Messages.Response r = resp.respond(otherPsk, X25519.generatePrivateKey(), 9).message();
    assertThatThrownBy(() -> init.finish(r)).isInstanceOf(WireGuardException.class);
  }

  @Test
  void initiationForAnotherResponderIsRejected() throws Exception {
    byte[] m1 = start(1).message().encode();
    StaticIdentity c = StaticIdentity.generate();
    assertThatThrownBy(() -> ResponderHandshake.consume(c, Messages.Initiation.decode(m1, 0, 148)))
        .isInstanceOf(WireGuardException.class);
    new CookieGenerator(B.publicKey(), System::nanoTime).addMacs(m1);
    assertThat(
            new CookieChecker(c.publicKey(), System::nanoTime, new SecureRandom())
                .checkMac1(m1, 0, 148))
        .isFalse();
  }

  @Property(tries = 300)
  void hostileBytesOnlyEverFailAsWireGuardExceptions(
      @ForAll @Size(max = 200) byte[] junk, @ForAll @IntRange(min = 1, max = 4) int type) {
    byte[] b = junk.clone();
    if (b.length >= 4) {
      b[0] = (byte) type;
      b[1] = 0;
      b[2] = 0;
      b[3] = 0;
    }
    int t = Messages.typeOf(b, 0, b.length);
    CookieChecker checker = new CookieChecker(B.publicKey(), System::nanoTime, new SecureRandom());
    Session s = new Session(new SessionKeys(new byte[32], new byte[32], 1, 2, false), 0);
    try {
      switch (t) {
        case Messages.TYPE_INITIATION -> {
          assertThat(checker.checkMac1(b, 0, b.length)).isFalse();
          ResponderHandshake.consume(B, Messages.Initiation.decode(b, 0, b.length));
        }
        case Messages.TYPE_RESPONSE -> {
          assertThat(checker.checkMac1(b, 0, b.length)).isFalse();
          start(1).finish(Messages.Response.decode(b, 0, b.length));
        }
        case Messages.TYPE_COOKIE_REPLY -> {
          CookieGenerator g = new CookieGenerator(B.publicKey(), System::nanoTime);
          byte[] m1 = start(1).message().encode();
          g.addMacs(m1);
          assertThat(g.consumeReply(Messages.CookieReply.decode(b, 0, b.length))).isFalse();
          assertThat(g.hasCookie()).isFalse();
          return;
        }
        case Messages.TYPE_TRANSPORT -> s.open(b, 0, b.length, new byte[b.length], 0);
        default -> {
          assertThat(t).isEqualTo(-1);
          return;
        }
      }
      throw new AssertionError("random bytes were accepted as type " + t);
    } catch (WireGuardException expected) {
      // the only allowed failure
    }
  }

  @Property(tries = 100)
  void transportRoundTripsAndRejectsReplaysAndTampering(
      @ForAll @Size(max = 1500) byte[] payload, @ForAll int flip) throws Exception {
    byte[] k1 = X25519.generatePrivateKey();
    byte[] k2 = X25519.generatePrivateKey();
    Session tx = new Session(new SessionKeys(k1, k2, 1, 2, true), 0);
    Session rx = new Session(new SessionKeys(k2, k1, 2, 1, false), 0);
    int padded = (payload.length + 15) & ~15;
    byte[] msg = new byte[32 + padded];
    int n = tx.seal(payload, 0, payload.length, padded, msg, 0);
    assertThat(n).isEqualTo(msg.length);
    byte[] out = new byte[padded + 16];
    int got = rx.open(msg, 0, n, out, 0);
    assertThat(got).isEqualTo(padded);
    assertThat(Arrays.copyOf(out, payload.length)).isEqualTo(payload);
    assertThatThrownBy(() -> rx.open(msg, 0, n, out, 0))
        .isInstanceOf(WireGuardException.class)
        .hasMessageContaining("replayed");
    byte[] second = new byte[32 + padded];
    tx.seal(payload, 0, payload.length, padded, second, 0);
    // the counter and the ciphertext are authenticated (the index only selects the keypair)
    int bit = Math.floorMod(flip, (n - 8) * 8) + 64;
    second[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThatThrownBy(() -> rx.open(second, 0, n, out, 0)).isInstanceOf(WireGuardException.class);
  }

  @Test
  void cookieReplyRoundTripEnablesMac2ForThatSourceOnly() throws Exception {
    long[] now = {0};
    CookieGenerator gen = new CookieGenerator(B.publicKey(), () -> now[0]);
    CookieChecker checker = new CookieChecker(B.publicKey(), () -> now[0], new SecureRandom());
    byte[] src = {10, 0, 0, 1, 0x1f, (byte) 0x90};
    byte[] m1 = start(1).message().encode();
    gen.addMacs(m1);
    assertThat(checker.checkMac1(m1, 0, 148)).isTrue();
    assertThat(checker.checkMac2(m1, 0, 148, src)).isFalse();
    byte[] reply = checker.createReply(m1, 0, 148, 1, src).encode();
    assertThat(Messages.typeOf(reply, 0, reply.length)).isEqualTo(Messages.TYPE_COOKIE_REPLY);
    // a reply bound to another message's mac1 does not open
    byte[] other = start(2).message().encode();
    byte[] otherReply = checker.createReply(withMacs(other), 0, 148, 2, src).encode();
    assertThat(gen.consumeReply(Messages.CookieReply.decode(otherReply, 0, 64))).isFalse();
    assertThat(gen.consumeReply(Messages.CookieReply.decode(reply, 0, 64))).isTrue();
    byte[] retry = start(3).message().encode();
    gen.addMacs(retry);
    assertThat(checker.checkMac1(retry, 0, 148)).isTrue();
    assertThat(checker.checkMac2(retry, 0, 148, src)).isTrue();
    assertThat(checker.checkMac2(retry, 0, 148, new byte[] {10, 0, 0, 2, 0x1f, (byte) 0x90}))
        .isFalse();
    // the cookie expires after two minutes: mac2 goes back to zeros
    now[0] += CookieGenerator.COOKIE_LIFETIME_NANOS;
    byte[] late = start(4).message().encode();
    gen.addMacs(late);
    assertThat(Arrays.copyOfRange(late, 132, 148)).isEqualTo(new byte[16]);
  }

  private static byte[] withMacs(byte[] m) {
    new CookieGenerator(B.publicKey(), System::nanoTime).addMacs(m);
    return m;
  }
}
