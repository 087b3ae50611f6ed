package dev.umbra.wireguard.noise;

import dev.umbra.crypto.Blake2s;
import dev.umbra.crypto.XChaCha20Poly1305;
import java.util.Arrays;
import java.util.function.LongSupplier;
import javax.crypto.AEADBadTagException;

/**
 * The sender's side of WireGuard's MACs toward one peer: writes mac1 (keyed by the peer's public
 * key) and, while it holds a fresh cookie from that peer's cookie reply, mac2.
 */
public final class CookieGenerator {
  /** A cookie is good for two minutes after it arrives. */
  static final long COOKIE_LIFETIME_NANOS = 120_000_000_000L;

  private final byte[] mac1Key;
  private final byte[] cookieKey;
  private final LongSupplier nanoClock;
  private byte[] lastMac1;
  private byte[] cookie;
  private long cookieTime;

  public CookieGenerator(byte[] remoteStatic, LongSupplier nanoClock) {
    this.mac1Key = Noise.hash(Noise.LABEL_MAC1, remoteStatic);
    this.cookieKey = Noise.hash(Noise.LABEL_COOKIE, remoteStatic);
    this.nanoClock = nanoClock;
  }

  /** Fills mac1 and mac2 of an encoded initiation or response in place. */
  public synchronized void addMacs(byte[] msg) {
    int mac1At = Messages.mac1Offset(msg[0]);
    byte[] mac1 = Blake2s.mac(mac1Key, msg, 0, mac1At);
    System.arraycopy(mac1, 0, msg, mac1At, 16);
    lastMac1 = mac1;
    int mac2At = mac1At + 16;
    if (cookie != null && nanoClock.getAsLong() - cookieTime < COOKIE_LIFETIME_NANOS) {
      System.arraycopy(Blake2s.mac(cookie, msg, 0, mac2At), 0, msg, mac2At, 16);
    } else {
      Arrays.fill(msg, mac2At, mac2At + 16, (byte) 0);
    }
  }

  /**
   * Decrypts a cookie reply to the last message we MAC'd and keeps the cookie for mac2. Returns
   * false (and keeps nothing) if it does not authenticate against that message.
   */
  public synchronized boolean consumeReply(Messages.CookieReply reply) {
    if (lastMac1 == null) {
      return false;
    }
    byte[] out = new byte[16];
    try {
      new XChaCha20Poly1305(cookieKey)
          .open(reply.nonce(), lastMac1, reply.encryptedCookie(), 0, 32, out, 0);
    } catch (AEADBadTagException e) {
      return false;
    }
    cookie = out;
    cookieTime = nanoClock.getAsLong();
    return true;
  }

  /** Whether a cookie from the peer is held (diagnostics). */
  public synchronized boolean hasCookie() {
    return cookie != null;
  }
}
