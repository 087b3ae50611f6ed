package dev.umbra.tor.crypto;

import dev.umbra.crypto.Hkdf;
import dev.umbra.tor.cell.TorProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The ntor handshake (tor-spec "create-created-cells", PROTOID ntor-curve25519-sha256-1): the
 * client's onionskin ID|B|X, the relay's reply Y|AUTH, and the key material from HKDF-SHA256.
 */
public final class Ntor {
  private static final byte[] PROTOID = ascii("ntor-curve25519-sha256-1");
  private static final byte[] T_MAC = ascii("ntor-curve25519-sha256-1:mac");
  private static final byte[] T_KEY = ascii("ntor-curve25519-sha256-1:key_extract");
  private static final byte[] T_VERIFY = ascii("ntor-curve25519-sha256-1:verify");
  private static final byte[] M_EXPAND = ascii("ntor-curve25519-sha256-1:key_expand");
  private static final byte[] SERVER = ascii("Server");
  private static final SecureRandom RANDOM = new SecureRandom();

  public static final int ONIONSKIN_LEN = 84;
  public static final int REPLY_LEN = 64;

  private Ntor() {}

  /** What the client keeps between CREATE2 and CREATED2. */
  public static final class ClientState {
    private final byte[] id;
    private final byte[] b;
    private final byte[] x;
    private final byte[] bigX;

    private ClientState(byte[] id, byte[] b, byte[] x, byte[] bigX) {
      this.id = id.clone();
      this.b = b.clone();
      this.x = x;
      this.bigX = bigX;
    }

    /** The 84-byte onionskin. */
    public byte[] onionskin() {
      byte[] out = new byte[ONIONSKIN_LEN];
      System.arraycopy(id, 0, out, 0, 20);
      System.arraycopy(b, 0, out, 20, 32);
      System.arraycopy(bigX, 0, out, 52, 32);
      return out;
    }
  }

  /** Starts a handshake with relay identity {@code id} (20 bytes) and ntor onion key {@code B}. */
  public static ClientState start(byte[] id, byte[] onionKey) {
    byte[] x = new byte[32];
    RANDOM.nextBytes(x);
    return start(id, onionKey, x);
  }

  /** Deterministic start for test vectors. */
  static ClientState start(byte[] id, byte[] onionKey, byte[] secret) {
    if (id.length != 20 || onionKey.length != 32 || secret.length != 32) {
      throw new IllegalArgumentException("bad ntor key sizes");
    }
    byte[] bigX = new byte[32];
    X25519.scalarMultBase(secret, 0, bigX, 0);
    return new ClientState(id, onionKey, secret.clone(), bigX);
  }

  /**
   * Completes the handshake with the relay's 64-byte reply; returns {@code keyLen} bytes of key
   * material. A wrong AUTH or a non-contributory key is a protocol error.
   */
  public static byte[] finish(ClientState s, byte[] reply, int keyLen) throws TorProtocolException {
    if (reply.length < REPLY_LEN) {
      throw new TorProtocolException("ntor reply too short: " + reply.length);
    }
    byte[] bigY = java.util.Arrays.copyOfRange(reply, 0, 32);
    byte[] auth = java.util.Arrays.copyOfRange(reply, 32, 64);
    byte[] xy = new byte[32];
    byte[] xb = new byte[32];
    boolean ok1 = X25519.calculateAgreement(s.x, 0, bigY, 0, xy, 0);
    boolean ok2 = X25519.calculateAgreement(s.x, 0, s.b, 0, xb, 0);
    byte[] secretInput = concat(xy, xb, s.id, s.b, s.bigX, bigY, PROTOID);
    byte[] verify = hmac(T_VERIFY, secretInput);
    byte[] authInput = concat(verify, s.id, s.b, bigY, s.bigX, PROTOID, SERVER);
    byte[] expected = hmac(T_MAC, authInput);
    boolean good = MessageDigest.isEqual(expected, auth);
    // Evaluate every check before branching (no early exit on secret-dependent values).
    boolean all = ok1;
    all &= ok2;
    all &= good;
    if (!all) {
      throw new TorProtocolException("ntor handshake failed: bad AUTH from relay");
    }
    return expand(secretInput, keyLen);
  }

  /**
   * The relay side, for tests and the test relay: given our secret key {@code b}, a fresh {@code
   * y}, the client's onionskin; returns reply (64 bytes) followed by keyLen bytes of keys.
   */
  public static byte[] serverReply(
      byte[] id, byte[] bSecret, byte[] ySecret, byte[] onionskin, int keyLen)
      throws TorProtocolException {
    if (onionskin.length < ONIONSKIN_LEN) {
      throw new TorProtocolException("ntor onionskin too short");
    }
    byte[] bPub = new byte[32];
    X25519.scalarMultBase(bSecret, 0, bPub, 0);
    if (!MessageDigest.isEqual(java.util.Arrays.copyOfRange(onionskin, 0, 20), id)
        || !MessageDigest.isEqual(java.util.Arrays.copyOfRange(onionskin, 20, 52), bPub)) {
      throw new TorProtocolException("ntor onionskin is not for this relay");
    }
    byte[] bigX = java.util.Arrays.copyOfRange(onionskin, 52, 84);
    byte[] bigY = new byte[32];
    X25519.scalarMultBase(ySecret, 0, bigY, 0);
    byte[] xy = new byte[32];
    byte[] xb = new byte[32];
    X25519.calculateAgreement(ySecret, 0, bigX, 0, xy, 0);
    X25519.calculateAgreement(bSecret, 0, bigX, 0, xb, 0);
    byte[] secretInput = concat(xy, xb, id, bPub, bigX, bigY, PROTOID);
    byte[] verify = hmac(T_VERIFY, secretInput);
    byte[] auth = hmac(T_MAC, concat(verify, id, bPub, bigY, bigX, PROTOID, SERVER));
    return concat(bigY, auth, expand(secretInput, keyLen));
  }

  private static byte[] expand(byte[] secretInput, int keyLen) {
    // KEY_SEED = HMAC(t_key, secret_input) is exactly HKDF-Extract with salt t_key.
    return Hkdf.derive("HmacSHA256", secretInput, T_KEY, M_EXPAND, keyLen);
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
