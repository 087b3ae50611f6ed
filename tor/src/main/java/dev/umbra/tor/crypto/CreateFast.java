package dev.umbra.tor.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The CREATE_FAST handshake (tor-spec "CREATE_FAST"): X and Y are 20 random bytes each, K =
 * KDF-TOR(X | Y) = KH | Df | Db | Kf | Kb. Only for one-hop directory circuits to a relay whose
 * onion key we do not know yet (fallback directories before the first consensus): the TLS link
 * already authenticated the relay.
 */
public final class CreateFast {
  public static final int LEN = 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  private CreateFast() {}

  public static byte[] start() {
    byte[] x = new byte[LEN];
    RANDOM.nextBytes(x);
    return x;
  }

  /** Checks KH in the CREATED_FAST body (Y | KH) and returns the tor1 key material. */
  public static byte[] finish(byte[] x, byte[] reply, int keyLen) {
    if (reply.length < 2 * LEN) {
      throw new IllegalArgumentException("CREATED_FAST body too short");
    }
    byte[] seed = new byte[2 * LEN];
    System.arraycopy(x, 0, seed, 0, LEN);
    System.arraycopy(reply, 0, seed, LEN, LEN);
    byte[] k = KdfTor.expand(seed, LEN + keyLen);
    if (!MessageDigest.isEqual(Arrays.copyOf(k, LEN), Arrays.copyOfRange(reply, LEN, 2 * LEN))) {
      throw new IllegalArgumentException("CREATED_FAST key hash mismatch");
    }
    return Arrays.copyOfRange(k, LEN, LEN + keyLen);
  }
}
