package dev.umbra.wireguard.noise;

import dev.umbra.crypto.Blake2s;
import dev.umbra.crypto.X25519;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** The Noise_IKpsk2 building blocks as WireGuard instantiates them. */
final class Noise {
  static final byte[] CONSTRUCTION =
      "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII);
  static final byte[] IDENTIFIER =
      "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);
  static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
  static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);

  static final byte[] INITIAL_CHAIN_KEY = Blake2s.hash(CONSTRUCTION);
  static final byte[] INITIAL_HASH = Blake2s.hash(INITIAL_CHAIN_KEY, IDENTIFIER);

  private Noise() {}

  /** ChaCha20-Poly1305 with nonce {@code 0^4 || LE64(counter)}. */
  static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] ad) {
    try {
      Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), nonce(counter));
      c.updateAAD(ad);
      return c.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  static byte[] open(byte[] key, long counter, byte[] ciphertext, byte[] ad, String what)
      throws WireGuardException {
    try {
      Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), nonce(counter));
      c.updateAAD(ad);
      return c.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new WireGuardException(what + " failed authentication");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
    }
  }

  static IvParameterSpec nonce(long counter) {
    byte[] n = new byte[12];
    Messages.putLe64(n, 4, counter);
    return new IvParameterSpec(n);
  }

  static byte[] dh(byte[] privateKey, byte[] publicKey) throws WireGuardException {
    try {
      return X25519.sharedSecret(privateKey, publicKey);
    } catch (GeneralSecurityException e) {
      throw new WireGuardException("invalid public key in handshake");
    }
  }

  static byte[] hash(byte[]... parts) {
    return Blake2s.hash(parts);
  }

  static byte[][] kdf(int n, byte[] chainKey, byte[] input) {
    return Blake2s.kdf(n, chainKey, input);
  }
}
