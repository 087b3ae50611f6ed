package dev.umbra.wireguard.noise;

import dev.umbra.crypto.Blake2s;
import dev.umbra.crypto.XChaCha20Poly1305;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * The receiver's side of WireGuard's MACs: checks mac1 (keyed by our own public key) on every
 * handshake message and, under load, mac2 against a cookie bound to the sender's address; builds
 * the cookie reply that tells a sender which cookie to use. The cookie secret changes every two
 * minutes.
 */
public final class CookieChecker {
  private static final long SECRET_LIFETIME_NANOS = 120_000_000_000L;

  private final byte[] mac1Key;
  private final byte[] cookieKey;
  private final LongSupplier nanoClock;
  private final SecureRandom random;
  private final byte[] secret = new byte[32];
  private long secretTime;
  private boolean secretSet;

  public CookieChecker(byte[] localPublic, LongSupplier nanoClock, SecureRandom random) {
    this.mac1Key = Noise.hash(Noise.LABEL_MAC1, localPublic);
    this.cookieKey = Noise.hash(Noise.LABEL_COOKIE, localPublic);
    this.nanoClock = nanoClock;
    this.random = random;
  }

  /** Whether mac1 of a well-formed initiation or response is valid. */
  public boolean checkMac1(byte[] msg, int off, int len) {
    int at = Messages.mac1Offset(msg[off]);
    byte[] want = Blake2s.mac(mac1Key, msg, off, at);
    return MessageDigest.isEqual(want, java.util.Arrays.copyOfRange(msg, off + at, off + at + 16));
  }

  /** Whether mac2 is valid for the cookie of {@code source} (the sender's address bytes). */
  public boolean checkMac2(byte[] msg, int off, int len, byte[] source) {
    byte[] cookie = currentCookie(source);
    if (cookie == null) {
      return false;
    }
    int at = Messages.mac1Offset(msg[off]) + 16;
    byte[] want = Blake2s.mac(cookie, msg, off, at);
    return MessageDigest.isEqual(want, java.util.Arrays.copyOfRange(msg, off + at, off + at + 16));
  }

  /** A cookie reply to a handshake message (whose mac1 was valid) from {@code source}. */
  public synchronized Messages.CookieReply createReply(
      byte[] msg, int off, int len, int receiverIndex, byte[] source) {
    long now = nanoClock.getAsLong();
    if (!secretSet || now - secretTime >= SECRET_LIFETIME_NANOS) {
      random.nextBytes(secret);
      secretTime = now;
      secretSet = true;
    }
    byte[] cookie = Blake2s.mac(secret, source, 0, source.length);
    int at = Messages.mac1Offset(msg[off]);
    byte[] mac1 = java.util.Arrays.copyOfRange(msg, off + at, off + at + 16);
    byte[] nonce = new byte[24];
    random.nextBytes(nonce);
    byte[] enc = new byte[32];
    new XChaCha20Poly1305(cookieKey).seal(nonce, mac1, cookie, 0, 16, enc, 0);
    return new Messages.CookieReply(receiverIndex, nonce, enc);
  }

  private synchronized byte[] currentCookie(byte[] source) {
    if (!secretSet || nanoClock.getAsLong() - secretTime >= SECRET_LIFETIME_NANOS) {
      return null;
    }
    return Blake2s.mac(secret, source, 0, source.length);
  }
}
