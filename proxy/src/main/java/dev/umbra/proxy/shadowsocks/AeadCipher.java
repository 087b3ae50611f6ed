package dev.umbra.proxy.shadowsocks;

import dev.umbra.crypto.Aead;
import dev.umbra.crypto.AesGcm;
import dev.umbra.crypto.ChaCha20Poly1305;
import dev.umbra.crypto.XChaCha20Poly1305;
import javax.crypto.AEADBadTagException;

/**
 * One direction of a Shadowsocks session: an AEAD with a little-endian nonce counter that starts at
 * zero and counts every seal or open (SIP004 / SIP022). AES-GCM through the JDK; ChaCha20-Poly1305
 * and XChaCha20-Poly1305 through the {@code crypto} module (JDK keystream, our Poly1305). Not
 * thread-safe.
 */
public final class AeadCipher {
  public static final int TAG_SIZE = Aead.TAG_SIZE;

  private final byte[] nonce;
  private final Aead aead;

  public AeadCipher(CipherKind kind, byte[] key) {
    this.nonce = new byte[kind.nonceSize()];
    this.aead =
        switch (kind) {
          case AES_GCM -> new AesGcm(key);
          case CHACHA20_POLY1305 -> new ChaCha20Poly1305(key);
          case XCHACHA20_POLY1305 -> new XChaCha20Poly1305(key);
        };
  }

  /** Encrypts {@code len} bytes (in place allowed) with the next nonce; returns len + 16. */
  public int seal(byte[] in, int off, int len, byte[] out, int outOff) {
    int n = aead.seal(nonce, null, in, off, len, out, outOff);
    increment(nonce);
    return n;
  }

  /** Decrypts {@code len} bytes including the tag with the next nonce; returns len - 16. */
  public int open(byte[] in, int off, int len, byte[] out, int outOff) throws AEADBadTagException {
    int n = aead.open(nonce, null, in, off, len, out, outOff);
    increment(nonce);
    return n;
  }

  /** Encrypts with an explicit nonce (UDP), leaving the counter alone. */
  public int sealWith(
      byte[] explicitNonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
    return aead.seal(explicitNonce, aad, in, off, len, out, outOff);
  }

  /** Decrypts with an explicit nonce (UDP), leaving the counter alone. */
  public int openWith(
      byte[] explicitNonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    return aead.open(explicitNonce, aad, in, off, len, out, outOff);
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
