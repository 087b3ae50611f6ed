package dev.umbra.tor.crypto;

import dev.umbra.tor.cell.TorProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The ntor-v3 handshake (tor-spec "create-created-cells", proposal 332): X25519 with SHA3-256
 * tweaked hashes and a SHAKE-256 KDF; the relay is named by its Ed25519 identity, and both sides
 * may carry an encrypted message (extensions). Circuit extension uses the verification string
 * "circuit extend".
 */
public final class NtorV3 {
  private static final String PROTOID_S = "ntor3-curve25519-sha3_256-1";
  private static final byte[] PROTOID = ascii(PROTOID_S);
  private static final byte[] T_MSGMAC = ascii(PROTOID_S + ":msg_mac");
  private static final byte[] T_MSGKDF = ascii(PROTOID_S + ":kdf_phase1");
  private static final byte[] T_KEY_SEED = ascii(PROTOID_S + ":key_seed");
  private static final byte[] T_VERIFY = ascii(PROTOID_S + ":verify");
  private static final byte[] T_FINAL = ascii(PROTOID_S + ":kdf_final");
  private static final byte[] T_AUTH = ascii(PROTOID_S + ":auth_final");
  private static final byte[] SERVER = ascii("Server");
  public static final byte[] CIRCUIT_VERIFICATION = ascii("circuit extend");
  private static final SecureRandom RANDOM = new SecureRandom();

  private NtorV3() {}

  /** What the client keeps between CREATE2 and CREATED2. */
  public static final class ClientState {
    private final byte[] id;
    private final byte[] b;
    private final byte[] x;
    private final byte[] bigX;
    private final byte[] bx;
    private final byte[] msgMac;
    private final byte[] verification;
    private final byte[] onionskin;
    private final boolean contributory;

    private ClientState(
        byte[] id,
        byte[] b,
        byte[] x,
        byte[] bigX,
        byte[] bx,
        byte[] msgMac,
        byte[] verification,
        byte[] onionskin,
        boolean contributory) {
      this.id = id;
      this.b = b;
      this.x = x;
      this.bigX = bigX;
      this.bx = bx;
      this.msgMac = msgMac;
      this.verification = verification;
      this.onionskin = onionskin;
      this.contributory = contributory;
    }

    /** ID | B | X | encrypted message | MAC. */
    public byte[] onionskin() {
      return onionskin.clone();
    }
  }

  /** The result of a completed handshake: the relay's decrypted message and a key stream. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Result(byte[] serverMessage, byte[] keys) {}

  public static ClientState start(byte[] edId, byte[] onionKey, byte[] message) {
    byte[] x = new byte[32];
    RANDOM.nextBytes(x);
    return start(edId, onionKey, message, CIRCUIT_VERIFICATION, x);
  }

  static ClientState start(
      byte[] edId, byte[] onionKey, byte[] message, byte[] verification, byte[] x) {
    if (edId.length != 32 || onionKey.length != 32 || x.length != 32) {
      throw new IllegalArgumentException("bad ntor-v3 key sizes");
    }
    byte[] bigX = new byte[32];
    X25519.scalarMultBase(x, 0, bigX, 0);
    byte[] bx = new byte[32];
    boolean ok = X25519.calculateAgreement(x, 0, onionKey, 0, bx, 0);
    byte[][] k = phase1(bx, edId, bigX, onionKey, verification);
    byte[] enc = aes256ctr(k[0], message);
    byte[] mac = msgMac(k[1], edId, onionKey, bigX, enc);
    byte[] skin = concat(edId, onionKey, bigX, enc, mac);
    return new ClientState(
        edId.clone(), onionKey.clone(), x.clone(), bigX, bx, mac, verification.clone(), skin, ok);
  }

  /** Completes the handshake with the relay's reply Y | AUTH | encrypted message. */
  public static Result finish(ClientState s, byte[] reply, int keyLen) throws TorProtocolException {
    if (reply.length < 64) {
      throw new TorProtocolException("ntor-v3 reply too short: " + reply.length);
    }
    byte[] bigY = Arrays.copyOfRange(reply, 0, 32);
    byte[] auth = Arrays.copyOfRange(reply, 32, 64);
    byte[] encrypted = Arrays.copyOfRange(reply, 64, reply.length);
    byte[] yx = new byte[32];
    boolean ok = X25519.calculateAgreement(s.x, 0, bigY, 0, yx, 0);
    byte[] secretInput = concat(yx, s.bx, s.id, s.b, s.bigX, bigY, PROTOID, encap(s.verification));
    byte[] seed = hash(T_KEY_SEED, secretInput);
    byte[] verify = hash(T_VERIFY, secretInput);
    byte[] expected =
        hash(
            T_AUTH,
            concat(verify, s.id, s.b, bigY, s.bigX, s.msgMac, encap(encrypted), PROTOID, SERVER));
    boolean all = ok;
    all &= s.contributory;
    all &= MessageDigest.isEqual(expected, auth);
    if (!all) {
      throw new TorProtocolException("ntor-v3 handshake failed: bad AUTH from relay");
    }
    byte[] stream = shake(concat(encap(T_FINAL), seed), 32 + keyLen);
    byte[] msg = aes256ctr(Arrays.copyOf(stream, 32), encrypted);
    return new Result(msg, Arrays.copyOfRange(stream, 32, stream.length));
  }

  /**
   * The relay side (for tests): checks the client's MAC, returns the reply followed by keyLen key
   * bytes; {@code reply} is the relay's message to encrypt.
   */
  static byte[] serverReply(
      byte[] edId,
      byte[] bSecret,
      byte[] y,
      byte[] onionskin,
      byte[] verification,
      byte[] reply,
      int keyLen)
      throws TorProtocolException {
    if (onionskin.length < 32 * 3 + 32) {
      throw new TorProtocolException("ntor-v3 onionskin too short");
    }
    byte[] bPub = new byte[32];
    X25519.scalarMultBase(bSecret, 0, bPub, 0);
    byte[] id = Arrays.copyOfRange(onionskin, 0, 32);
    byte[] b = Arrays.copyOfRange(onionskin, 32, 64);
    byte[] bigX = Arrays.copyOfRange(onionskin, 64, 96);
    byte[] enc = Arrays.copyOfRange(onionskin, 96, onionskin.length - 32);
    byte[] mac = Arrays.copyOfRange(onionskin, onionskin.length - 32, onionskin.length);
    if (!MessageDigest.isEqual(id, edId) || !MessageDigest.isEqual(b, bPub)) {
      throw new TorProtocolException("ntor-v3 onionskin is not for this relay");
    }
    byte[] xb = new byte[32];
    X25519.calculateAgreement(bSecret, 0, bigX, 0, xb, 0);
    byte[][] k = phase1(xb, edId, bigX, bPub, verification);
    if (!MessageDigest.isEqual(msgMac(k[1], edId, bPub, bigX, enc), mac)) {
      throw new TorProtocolException("ntor-v3 client MAC is bad");
    }
    byte[] bigY = new byte[32];
    X25519.scalarMultBase(y, 0, bigY, 0);
    byte[] xy = new byte[32];
    X25519.calculateAgreement(y, 0, bigX, 0, xy, 0);
    byte[] secretInput = concat(xy, xb, edId, bPub, bigX, bigY, PROTOID, encap(verification));
    byte[] seed = hash(T_KEY_SEED, secretInput);
    byte[] verify = hash(T_VERIFY, secretInput);
    byte[] stream = shake(concat(encap(T_FINAL), seed), 32 + keyLen);
    byte[] encReply = aes256ctr(Arrays.copyOf(stream, 32), reply);
    byte[] auth =
        hash(T_AUTH, concat(verify, edId, bPub, bigY, bigX, mac, encap(encReply), PROTOID, SERVER));
    return concat(bigY, auth, encReply, Arrays.copyOfRange(stream, 32, stream.length));
  }

  /** The client's message decrypted by the relay side, for tests. */
  static byte[] clientMessage(byte[] edId, byte[] bSecret, byte[] onionskin, byte[] verification) {
    byte[] bPub = new byte[32];
    X25519.scalarMultBase(bSecret, 0, bPub, 0);
    byte[] bigX = Arrays.copyOfRange(onionskin, 64, 96);
    byte[] xb = new byte[32];
    X25519.calculateAgreement(bSecret, 0, bigX, 0, xb, 0);
    byte[][] k = phase1(xb, edId, bigX, bPub, verification);
    return aes256ctr(k[0], Arrays.copyOfRange(onionskin, 96, onionskin.length - 32));
  }

  private static byte[][] phase1(byte[] bx, byte[] id, byte[] bigX, byte[] b, byte[] ver) {
    byte[] keys = shake(concat(encap(T_MSGKDF), bx, id, bigX, b, PROTOID, encap(ver)), 64);
    return new byte[][] {Arrays.copyOf(keys, 32), Arrays.copyOfRange(keys, 32, 64)};
  }

  private static byte[] msgMac(byte[] macKey, byte[] id, byte[] b, byte[] bigX, byte[] enc) {
    return hash(T_MSGMAC, concat(encap(macKey), id, b, bigX, enc));
  }

  /** H(s, t) = SHA3-256(ENCAP(t) | s). */
  private static byte[] hash(byte[] tweak, byte[] data) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA3-256");
      d.update(encap(tweak));
      d.update(data);
      return d.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA3-256 unavailable", e);
    }
  }

  private static byte[] shake(byte[] in, int n) {
    SHAKEDigest d = new SHAKEDigest(256);
    d.update(in, 0, in.length);
    byte[] out = new byte[n];
    d.doFinal(out, 0, n);
    return out;
  }

  private static byte[] encap(byte[] s) {
    return ByteBuffer.allocate(8 + s.length).putLong(s.length).put(s).array();
  }

  private static byte[] aes256ctr(byte[] key, byte[] data) {
    try {
      Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
      return c.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-CTR unavailable", e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    return Ntor.concat(parts);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
