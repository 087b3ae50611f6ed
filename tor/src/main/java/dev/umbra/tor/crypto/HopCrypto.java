package dev.umbra.tor.crypto;

import dev.umbra.tor.cell.Cell;
import dev.umbra.tor.cell.RelayCell;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tor1 relay crypto state for one hop (tor-spec "routing relay cells"): AES-128-CTR with a zero
 * IV in each direction and running SHA-1 digests seeded with Df/Db. Key material layout (72 bytes):
 * Df(20) Db(20) Kf(16) Kb(16).
 */
public final class HopCrypto {
  public static final int KEY_LEN = 72;
  private static final byte[] ZERO4 = new byte[4];

  private final Cipher forward;
  private final Cipher backward;
  private final MessageDigest forwardDigest;
  private MessageDigest backwardDigest;

  public HopCrypto(byte[] keys) {
    if (keys.length < KEY_LEN) {
      throw new IllegalArgumentException("tor1 needs 72 bytes of key material");
    }
    try {
      forwardDigest = MessageDigest.getInstance("SHA-1");
      backwardDigest = MessageDigest.getInstance("SHA-1");
      forwardDigest.update(keys, 0, 20);
      backwardDigest.update(keys, 20, 20);
      forward = Cipher.getInstance("AES/CTR/NoPadding");
      forward.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(keys, 40, 16, "AES"),
          new IvParameterSpec(new byte[16]));
      backward = Cipher.getInstance("AES/CTR/NoPadding");
      backward.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(keys, 56, 16, "AES"),
          new IvParameterSpec(new byte[16]));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR/SHA-1 unavailable", e);
    }
  }

  /**
   * Sets the digest field of an outgoing payload addressed to this hop (the running forward digest
   * over the payload with a zero digest field) and returns the full 20-byte digest state, which a
   * SENDME v1 from this hop will echo.
   */
  public byte[] seal(byte[] payload) {
    Arrays.fill(payload, RelayCell.DIGEST_OFFSET, RelayCell.DIGEST_OFFSET + 4, (byte) 0);
    forwardDigest.update(payload);
    byte[] d = currentDigest(forwardDigest);
    System.arraycopy(d, 0, payload, RelayCell.DIGEST_OFFSET, 4);
    return d;
  }

  /** One layer of forward encryption, in place. */
  public void encryptForward(byte[] payload) {
    crypt(forward, payload);
  }

  /** One layer of backward decryption, in place. */
  public void decryptBackward(byte[] payload) {
    crypt(backward, payload);
  }

  /**
   * After removing this hop's layer: is the cell from this hop? On success the running backward
   * digest is advanced and its 20-byte state is returned; otherwise null and nothing changes.
   */
  public byte[] recognize(byte[] payload) {
    if (!RelayCell.recognizedZero(payload)) {
      return null;
    }
    byte[] got = Arrays.copyOfRange(payload, RelayCell.DIGEST_OFFSET, RelayCell.DIGEST_OFFSET + 4);
    MessageDigest trial;
    try {
      trial = (MessageDigest) backwardDigest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
    // Hash the payload with a zero digest field without copying it; on a match the trial state
    // becomes the running digest (one SHA-1 pass per cell instead of two).
    trial.update(payload, 0, RelayCell.DIGEST_OFFSET);
    trial.update(ZERO4);
    int rest = RelayCell.DIGEST_OFFSET + 4;
    trial.update(payload, rest, payload.length - rest);
    byte[] d = currentDigest(trial);
    if (!MessageDigest.isEqual(Arrays.copyOf(d, 4), got)) {
      return null;
    }
    backwardDigest = trial;
    return d;
  }

  private static byte[] currentDigest(MessageDigest md) {
    try {
      return ((MessageDigest) md.clone()).digest();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void crypt(Cipher c, byte[] payload) {
    if (payload.length != Cell.PAYLOAD_LEN) {
      throw new IllegalArgumentException("relay payload must be 509 bytes");
    }
    try {
      int n = c.update(payload, 0, payload.length, payload, 0);
      if (n != payload.length) {
        throw new IllegalStateException("AES-CTR returned " + n + " bytes");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
