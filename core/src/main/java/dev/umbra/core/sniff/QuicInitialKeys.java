package dev.umbra.core.sniff;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client's Initial packet protection keys (RFC 9001 §5.2): derived from the Destination
 * Connection ID of its first Initial with HKDF-SHA256, protecting packets with AES-128-GCM and
 * their headers with AES-128-ECB.
 */
final class QuicInitialKeys {
  static final int TAG = 16;
  static final int SAMPLE = 16;

  final byte[] secret;
  final byte[] key;
  final byte[] iv;
  final byte[] hp;

  private QuicInitialKeys(byte[] secret, String labelPrefix) {
    this.secret = secret;
    this.key = expandLabel(secret, labelPrefix + " key", 16);
    this.iv = expandLabel(secret, labelPrefix + " iv", 12);
    this.hp = expandLabel(secret, labelPrefix + " hp", 16);
  }

  static QuicInitialKeys client(QuicVersion version, byte[] dcid) {
    byte[] initial = hmac(version.salt(), dcid);
    return new QuicInitialKeys(expandLabel(initial, "client in", 32), version.labelPrefix);
  }

  /** The 5-byte header protection mask for a 16-byte ciphertext sample (RFC 9001 §5.4.3). */
  byte[] mask(byte[] packet, int sampleOffset) {
    try {
      Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
      ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
      return ecb.doFinal(packet, sampleOffset, SAMPLE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES is part of every JDK", e);
    }
  }

  /** The AEAD nonce: the IV with the packet number XORed into its last bytes (RFC 9001 §5.3). */
  byte[] nonce(long packetNumber) {
    byte[] n = iv.clone();
    for (int i = 0; i < 8; i++) {
      n[n.length - 1 - i] ^= (byte) (packetNumber >>> (8 * i));
    }
    return n;
  }

  /** A cipher set up to open (or, for tests, seal) the packet with this number. */
  Cipher aead(int mode, long packetNumber) throws GeneralSecurityException {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG * 8, nonce(packetNumber)));
    return gcm;
  }

  /** HKDF-Expand-Label of TLS 1.3 (RFC 8446 §7.1) with an empty context, for up to 32 bytes. */
  static byte[] expandLabel(byte[] secret, String label, int length) {
    byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
    ByteBuffer info = ByteBuffer.allocate(2 + 1 + full.length + 1 + 1);
    info.putShort((short) length).put((byte) full.length).put(full).put((byte) 0);
    // one HMAC block suffices for length <= 32: T(1) = HMAC(secret, info || 0x01)
    info.put((byte) 1);
    byte[] t = hmac(secret, info.array());
    byte[] out = new byte[length];
    System.arraycopy(t, 0, out, 0, length);
    return out;
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
