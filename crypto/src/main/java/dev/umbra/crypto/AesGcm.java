package dev.umbra.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM with a 12-byte nonce and a 16-byte tag through the JDK (AES-NI, VAES and CLMUL
 * intrinsics). One {@link Cipher} and one key object for the life of the instance, so the JDK keeps
 * its expanded key between messages. One instance per thread.
 */
public final class AesGcm implements Aead {
  public static final int NONCE_SIZE = 12;

  private final SecretKeySpec key;
  private final Cipher cipher;

  /** {@code key} is 16, 24 or 32 bytes. */
  public AesGcm(byte[] key) {
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new IllegalArgumentException("AES needs a 16, 24 or 32-byte key");
    }
    this.key = new SecretKeySpec(key, "AES");
    try {
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks AES/GCM", e);
    }
  }

  @Override
  public int nonceSize() {
    return NONCE_SIZE;
  }

  @Override
  public int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_SIZE * 8, nonce));
      if (aad != null && aad.length > 0) {
        cipher.updateAAD(aad);
      }
      return cipher.doFinal(in, inOff, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  @Override
  public int open(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    if (len < TAG_SIZE) {
      throw new AEADBadTagException("ciphertext shorter than a tag");
    }
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_SIZE * 8, nonce));
      if (aad != null && aad.length > 0) {
        cipher.updateAAD(aad);
      }
      return cipher.doFinal(in, inOff, len, out, outOff);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }
}
