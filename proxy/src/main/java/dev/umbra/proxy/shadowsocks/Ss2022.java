package dev.umbra.proxy.shadowsocks;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/** SIP022 constants and small helpers shared by its TCP and UDP codecs. */
final class Ss2022 {
  static final int TYPE_CLIENT = 0;
  static final int TYPE_SERVER = 1;
  static final int MAX_PADDING = 900;

  /** Timestamps further than this from our clock are replays. */
  static final long MAX_TIME_DIFF_SECONDS = 30;

  /** How long incoming salts are remembered. */
  static final long SALT_WINDOW_NANOS = 60_000_000_000L;

  static final int FIXED_REQUEST_HEADER = 1 + 8 + 2;
  static final int IDENTITY_HEADER = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private Ss2022() {}

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static void checkTimestamp(long ts) throws ShadowsocksException {
    if (Math.abs(now() - ts) > MAX_TIME_DIFF_SECONDS) {
      throw new ShadowsocksException("timestamp outside the 30 s window");
    }
  }

  static int randomPadding() {
    return 1 + RANDOM.nextInt(MAX_PADDING);
  }

  static void random(byte[] b) {
    RANDOM.nextBytes(b);
  }

  static long randomLong() {
    return RANDOM.nextLong();
  }

  /** One AES block with {@code key} (the separate header and identity headers). */
  static byte[] aesBlock(byte[] key, byte[] block, boolean encrypt) {
    try {
      Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
      c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"));
      return c.doFinal(block, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES unavailable", e);
    }
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  /** The identity header for the next layer's PSK, under the current layer's PSK (TCP). */
  static byte[] tcpIdentityHeader(byte[] psk, byte[] nextPsk, byte[] salt) {
    return aesBlock(Kdf.identitySubkey2022(psk, salt), Kdf.pskHash2022(nextPsk), true);
  }

  /** The PSK hash an identity header carries (TCP). */
  static byte[] openTcpIdentityHeader(byte[] psk, byte[] salt, byte[] header) {
    return aesBlock(Kdf.identitySubkey2022(psk, salt), header, false);
  }
}
