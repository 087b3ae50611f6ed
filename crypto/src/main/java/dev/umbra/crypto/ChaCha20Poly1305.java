package dev.umbra.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8): the JDK's ChaCha20 keystream (it has AVX2 and AVX-512
 * intrinsics) with our {@link Poly1305}. The JDK's own "ChaCha20-Poly1305" cipher is 3–4× slower on
 * CPUs without AVX-512 IFMA because its Poly1305 has no other intrinsic.
 *
 * <p>The keystream cipher runs in the JDK's DECRYPT_MODE, which is the same XOR as encryption but
 * lets one {@link Cipher} be re-initialised for every message; nonce uniqueness is the caller's
 * job, as with any AEAD. One instance per thread.
 */
public final class ChaCha20Poly1305 implements Aead {
  public static final int KEY_SIZE = 32;
  public static final int NONCE_SIZE = 12;

  private static final byte[] ZERO_BLOCK = new byte[64];

  private final SecretKeySpec key;
  private final Cipher chacha;
  private final Poly1305 poly = new Poly1305();
  private final byte[] block0 = new byte[64];
  private final byte[] tag = new byte[TAG_SIZE];

  public ChaCha20Poly1305(byte[] key) {
    if (key.length != KEY_SIZE) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 needs a 32-byte key");
    }
    this.key = new SecretKeySpec(key, "ChaCha20");
    try {
      this.chacha = Cipher.getInstance("ChaCha20");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks ChaCha20", e);
    }
  }

  @Override
  public int nonceSize() {
    return NONCE_SIZE;
  }

  /** The key-less engine XChaCha20-Poly1305 drives with a subkey per message. */
  ChaCha20Poly1305() {
    this.key = null;
    try {
      this.chacha = Cipher.getInstance("ChaCha20");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks ChaCha20", e);
    }
  }

  @Override
  public int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    return seal(key, nonce, aad, in, inOff, len, out, outOff);
  }

  @Override
  public int open(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    return open(key, nonce, aad, in, inOff, len, out, outOff);
  }

  int seal(
      SecretKeySpec key,
      byte[] nonce,
      byte[] aad,
      byte[] in,
      int inOff,
      int len,
      byte[] out,
      int outOff) {
    checkBounds(in, inOff, len, out, outOff, len + TAG_SIZE);
    try {
      start(key, nonce);
      chacha.doFinal(in, inOff, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20 failed", e);
    }
    authenticate(aad, out, outOff, len);
    poly.finish(out, outOff + len);
    return len + TAG_SIZE;
  }

  int open(
      SecretKeySpec key,
      byte[] nonce,
      byte[] aad,
      byte[] in,
      int inOff,
      int len,
      byte[] out,
      int outOff)
      throws AEADBadTagException {
    if (len < TAG_SIZE) {
      throw new AEADBadTagException("ciphertext shorter than a tag");
    }
    int plain = len - TAG_SIZE;
    checkBounds(in, inOff, len, out, outOff, plain);
    try {
      start(key, nonce);
      authenticate(aad, in, inOff, plain);
      poly.finish(tag, 0);
      if (!Poly1305.tagsEqual(tag, 0, in, inOff + plain)) {
        throw new AEADBadTagException("Tag mismatch");
      }
      chacha.doFinal(in, inOff, plain, out, outOff);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20 failed", e);
    }
    return plain;
  }

  /**
   * Keys the stream at block 0, takes the Poly1305 key from it and leaves the stream at block 1.
   */
  private void start(SecretKeySpec key, byte[] nonce) throws GeneralSecurityException {
    if (nonce.length != NONCE_SIZE) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 needs a 12-byte nonce");
    }
    chacha.init(Cipher.DECRYPT_MODE, key, new ChaCha20ParameterSpec(nonce, 0));
    chacha.update(ZERO_BLOCK, 0, 64, block0, 0);
    poly.init(block0, 0);
    Arrays.fill(block0, (byte) 0);
  }

  /** MAC input: aad, pad, ciphertext, pad, le64(aad length), le64(ciphertext length). */
  private void authenticate(byte[] aad, byte[] ct, int off, int len) {
    int aadLen = 0;
    if (aad != null && aad.length > 0) {
      poly.update(aad, 0, aad.length);
      poly.padToBlock();
      aadLen = aad.length;
    }
    poly.update(ct, off, len);
    poly.updateWords(aadLen, len);
  }

  private static void checkBounds(
      byte[] in, int inOff, int len, byte[] out, int outOff, int outLen) {
    java.util.Objects.checkFromIndexSize(inOff, len, in.length);
    java.util.Objects.checkFromIndexSize(outOff, outLen, out.length);
  }
}
