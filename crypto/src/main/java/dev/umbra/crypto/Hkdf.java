package dev.umbra.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF (RFC 5869) over a JDK HMAC ("HmacSHA1", "HmacSHA256", ...). */
public final class Hkdf {
  private Hkdf() {}

  public static byte[] derive(String hmac, byte[] ikm, byte[] salt, byte[] info, int length) {
    try {
      Mac mac = Mac.getInstance(hmac);
      int hashLen = mac.getMacLength();
      byte[] s = salt == null || salt.length == 0 ? new byte[hashLen] : salt;
      mac.init(new SecretKeySpec(s, hmac));
      byte[] prk = mac.doFinal(ikm);
      mac.init(new SecretKeySpec(prk, hmac));
      byte[] out = new byte[length];
      byte[] t = new byte[0];
      int done = 0;
      for (int i = 1; done < length; i++) {
        mac.update(t);
        if (info != null) {
          mac.update(info);
        }
        mac.update((byte) i);
        t = mac.doFinal();
        int n = Math.min(t.length, length - done);
        System.arraycopy(t, 0, out, done, n);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("HKDF with " + hmac + " unavailable", e);
    }
  }
}
