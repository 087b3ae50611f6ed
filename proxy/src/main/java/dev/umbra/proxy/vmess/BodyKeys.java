package dev.umbra.proxy.vmess;

import dev.umbra.proxy.shadowsocks.AeadCipher;
import dev.umbra.proxy.shadowsocks.CipherKind;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * What one direction of a VMess body needs: security, option bits, its key and IV, and the request
 * key and IV (authenticated lengths are keyed from the request side in both directions).
 */
@SuppressWarnings("ArrayRecordComponent") // key material, never compared or printed
record BodyKeys(
    Security security, int options, byte[] key, byte[] iv, byte[] requestKey, byte[] requestIv) {

  boolean has(int option) {
    return (options & option) != 0;
  }

  /** The payload cipher for an AEAD security. */
  AeadCipher payloadCipher() {
    return cipher(key);
  }

  /** The length cipher for AUTHENTICATED_LENGTH. */
  AeadCipher lengthCipher() {
    return cipher(VmessKdf.kdf16(requestKey, "auth_len"));
  }

  private AeadCipher cipher(byte[] k) {
    return security == Security.CHACHA20_POLY1305
        ? new AeadCipher(CipherKind.CHACHA20_POLY1305, chachaKey(k))
        : new AeadCipher(CipherKind.AES_GCM, k);
  }

  /** MD5(k) || MD5(MD5(k)). */
  static byte[] chachaKey(byte[] k) {
    byte[] first = md5(k);
    byte[] out = Arrays.copyOf(first, 32);
    System.arraycopy(md5(first), 0, out, 16, 16);
    return out;
  }

  static byte[] md5(byte[] b) {
    try {
      return MessageDigest.getInstance("MD5").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The response direction's key or IV: the first 16 bytes of SHA-256 of the request's. */
  static byte[] responseOf(byte[] requestValue) {
    return Arrays.copyOf(VmessKdf.sha256(requestValue), 16);
  }
}
