package dev.umbra.proxy.shadowsocks;

import dev.umbra.crypto.XChaCha20Poly1305;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One direction of a Shadowsocks session: an AEAD with a little-endian nonce counter that starts at
 * zero and counts every seal or open (SIP004 / SIP022). JDK ciphers for AES-GCM and
 * ChaCha20-Poly1305 (intrinsics); XChaCha20 through HChaCha20 + the JDK cipher. Not thread-safe.
 */
public final class AeadCipher {
  public static final int TAG_SIZE = 16;

  private final CipherKind kind;
  private final byte[] nonce;
  private final SecretKeySpec key;
  private final Cipher jdk;
  private final XChaCha20Poly1305 xchacha;

  public AeadCipher(CipherKind kind, byte[] key) {
    this.kind = kind;
    this.nonce = new byte[kind.nonceSize()];
    try {
      switch (kind) {
        case AES_GCM -> {
          this.key = new SecretKeySpec(key, "AES");
          this.jdk = Cipher.getInstance("AES/GCM/NoPadding");
          this.xchacha = null;
        }
        case CHACHA20_POLY1305 -> {
          this.key = new SecretKeySpec(key, "ChaCha20");
          this.jdk = Cipher.getInstance("ChaCha20-Poly1305");
          this.xchacha = null;
        }
        case XCHACHA20_POLY1305 -> {
          this.key = null;
          this.jdk = null;
          this.xchacha = new XChaCha20Poly1305(key);
        }
        default -> throw new IllegalArgumentException(kind.toString());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cipher unavailable: " + kind, e);
    }
  }

  /** Encrypts {@code len} bytes (in place allowed) with the next nonce; returns len + 16. */
  public int seal(byte[] in, int off, int len, byte[] out, int outOff) {
    int n = sealWith(nonce, null, in, off, len, out, outOff);
    increment(nonce);
    return n;
  }

  /** Decrypts {@code len} bytes including the tag with the next nonce; returns len - 16. */
  public int open(byte[] in, int off, int len, byte[] out, int outOff) throws AEADBadTagException {
    int n = openWith(nonce, null, in, off, len, out, outOff);
    increment(nonce);
    return n;
  }

  /** Encrypts with an explicit nonce (UDP), leaving the counter alone. */
  public int sealWith(
      byte[] explicitNonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
    try {
      if (xchacha != null) {
        return xchacha.seal(explicitNonce, aad, in, off, len, out, outOff);
      }
      jdk.init(Cipher.ENCRYPT_MODE, key, spec(explicitNonce));
      if (aad != null) {
        jdk.updateAAD(aad);
      }
      return jdk.doFinal(in, off, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  /** Decrypts with an explicit nonce (UDP), leaving the counter alone. */
  public int openWith(
      byte[] explicitNonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    if (len < TAG_SIZE) {
      throw new AEADBadTagException("ciphertext shorter than a tag");
    }
    try {
      if (xchacha != null) {
        return xchacha.open(explicitNonce, aad, in, off, len, out, outOff);
      }
      jdk.init(Cipher.DECRYPT_MODE, key, spec(explicitNonce));
      if (aad != null) {
        jdk.updateAAD(aad);
      }
      return jdk.doFinal(in, off, len, out, outOff);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("decryption failed", e);
    }
  }

  private AlgorithmParameterSpec spec(byte[] n) {
    return kind == CipherKind.AES_GCM
        ? new GCMParameterSpec(TAG_SIZE * 8, n)
        : new IvParameterSpec(n);
  }

  /** The nonce counter as it stands (for tests). */
  byte[] nonce() {
    return nonce.clone();
  }

  static void increment(byte[] n) {
    for (int i = 0; i < n.length; i++) {
      if (++n[i] != 0) {
        return;
      }
    }
  }
}
