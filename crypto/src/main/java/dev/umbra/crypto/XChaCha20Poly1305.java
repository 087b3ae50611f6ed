package dev.umbra.crypto;

import javax.crypto.AEADBadTagException;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): HChaCha20 turns the key and the first 16 nonce
 * bytes into a subkey, then {@link ChaCha20Poly1305} runs with the nonce {@code 0x00000000 ||
 * nonce[16..24]}. One instance per thread.
 */
public final class XChaCha20Poly1305 implements Aead {
  public static final int KEY_SIZE = 32;
  public static final int NONCE_SIZE = 24;

  private final byte[] key;
  private final ChaCha20Poly1305 engine = new ChaCha20Poly1305();
  private final byte[] shortNonce = new byte[12];

  public XChaCha20Poly1305(byte[] key) {
    if (key.length != KEY_SIZE) {
      throw new IllegalArgumentException("XChaCha20-Poly1305 needs a 32-byte key");
    }
    this.key = key.clone();
  }

  @Override
  public int nonceSize() {
    return NONCE_SIZE;
  }

  /** Encrypts {@code len} bytes in place or into {@code out}; returns the length with the tag. */
  @Override
  public int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    return engine.seal(subkey(nonce), shortNonce, aad, in, inOff, len, out, outOff);
  }

  /**
   * Decrypts and authenticates {@code len} bytes (including the tag); returns the plaintext size.
   */
  @Override
  public int open(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    return engine.open(subkey(nonce), shortNonce, aad, in, inOff, len, out, outOff);
  }

  private byte[] subkey(byte[] nonce) {
    if (nonce.length != NONCE_SIZE) {
      throw new IllegalArgumentException("XChaCha20 needs a 24-byte nonce");
    }
    System.arraycopy(nonce, 16, shortNonce, 4, 8);
    return HChaCha20.subkey(key, nonce);
  }
}
