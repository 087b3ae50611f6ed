package dev.umbra.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): HChaCha20 turns the key and the first 16 nonce
 * bytes into a subkey, then the JDK's ChaCha20-Poly1305 (which has intrinsics) runs with the nonce
 * {@code 0x00000000 || nonce[16..24]}. One instance per thread.
 */
public final class XChaCha20Poly1305 {
  public static final int KEY_SIZE = 32;
  public static final int NONCE_SIZE = 24;
  public static final int TAG_SIZE = 16;

  private final byte[] key;
  private final Cipher cipher;

  public XChaCha20Poly1305(byte[] key) {
    if (key.length != KEY_SIZE) {
      throw new IllegalArgumentException("XChaCha20-Poly1305 needs a 32-byte key");
    }
    this.key = key.clone();
    try {
      this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks ChaCha20-Poly1305", e);
    }
  }

  /** Encrypts {@code len} bytes in place or into {@code out}; returns the length with the tag. */
  public int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    try {
      init(Cipher.ENCRYPT_MODE, nonce);
      if (aad != null) {
        cipher.updateAAD(aad);
      }
      return cipher.doFinal(in, inOff, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  /**
   * Decrypts and authenticates {@code len} bytes (including the tag); returns the plaintext size.
   */
  public int open(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    try {
      init(Cipher.DECRYPT_MODE, nonce);
      if (aad != null) {
        cipher.updateAAD(aad);
      }
      return cipher.doFinal(in, inOff, len, out, outOff);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
    }
  }

  private void init(int mode, byte[] nonce) throws GeneralSecurityException {
    if (nonce.length != NONCE_SIZE) {
      throw new IllegalArgumentException("XChaCha20 needs a 24-byte nonce");
    }
    byte[] subkey = HChaCha20.subkey(key, nonce);
    byte[] n = new byte[12];
    System.arraycopy(nonce, 16, n, 4, 8);
    cipher.init(mode, new SecretKeySpec(subkey, "ChaCha20"), new IvParameterSpec(n));
  }
}
