package dev.umbra.proxy.shadowsocks;

import dev.umbra.crypto.Blake3;
import dev.umbra.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Shadowsocks key derivation: master keys from passwords and per-session subkeys from salts. */
public final class Kdf {
  private static final byte[] SS_SUBKEY = "ss-subkey".getBytes(StandardCharsets.US_ASCII);
  static final String SESSION_SUBKEY_2022 = "shadowsocks 2022 session subkey";
  static final String IDENTITY_SUBKEY_2022 = "shadowsocks 2022 identity subkey";

  private Kdf() {}

  /** OpenSSL's EVP_BytesToKey with MD5, one iteration, no salt: the SIP004 master key. */
  public static byte[] evpBytesToKey(String password, int keySize) {
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    MessageDigest md5;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] key = new byte[keySize];
    byte[] prev = new byte[0];
    for (int done = 0; done < keySize; ) {
      md5.update(prev);
      md5.update(pw);
      prev = md5.digest();
      int n = Math.min(prev.length, keySize - done);
      System.arraycopy(prev, 0, key, done, n);
      done += n;
    }
    return key;
  }

  /** SIP004 session subkey: HKDF-SHA1(key, salt, "ss-subkey"). */
  public static byte[] aeadSubkey(byte[] key, byte[] salt) {
    return Hkdf.derive("HmacSHA1", key, salt, SS_SUBKEY, key.length);
  }

  /** SIP022 session subkey: BLAKE3 derive_key("shadowsocks 2022 session subkey", key || salt). */
  public static byte[] sessionSubkey2022(byte[] key, byte[] salt) {
    return Blake3.deriveKey(SESSION_SUBKEY_2022, concat(key, salt), key.length);
  }

  /**
   * SIP022 identity subkey: BLAKE3 derive_key("shadowsocks 2022 identity subkey", iPSK || salt).
   */
  public static byte[] identitySubkey2022(byte[] key, byte[] salt) {
    return Blake3.deriveKey(IDENTITY_SUBKEY_2022, concat(key, salt), key.length);
  }

  /** SIP022 PSK hash used in identity headers: the first 16 bytes of BLAKE3(psk). */
  public static byte[] pskHash2022(byte[] psk) {
    return Blake3.hash(psk, 16);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
