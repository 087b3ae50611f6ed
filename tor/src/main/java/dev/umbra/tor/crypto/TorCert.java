package dev.umbra.tor.crypto;

import dev.umbra.tor.cell.Bytes;
import dev.umbra.tor.cell.TorProtocolException;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 certificate in Tor's own format (cert-spec): version 1, type, expiry in hours since
 * the epoch, the certified key, extensions (type 4 = the signing Ed25519 key), and a signature over
 * everything before it.
 */
@SuppressWarnings("ArrayRecordComponent")
public record TorCert(
    int certType,
    long expiresHours,
    int certifiedKeyType,
    byte[] certifiedKey,
    byte[] signingKey,
    byte[] signedPart,
    byte[] signature) {

  public static final int TYPE_ID_SIGNING = 4;
  public static final int TYPE_SIGNING_LINK = 5;
  public static final int KEY_ED25519 = 1;
  public static final int KEY_SHA256_X509 = 3;
  private static final int EXT_SIGNED_WITH = 4;
  private static final int FLAG_AFFECTS_VALIDATION = 1;

  public static TorCert parse(byte[] raw) throws TorProtocolException {
    if (raw.length < 1 + 1 + 4 + 1 + 32 + 1 + 64) {
      throw new TorProtocolException("Ed25519 cert too short: " + raw.length);
    }
    Bytes r = new Bytes(raw, "Ed25519 cert");
    int version = r.u8();
    if (version != 1) {
      throw new TorProtocolException("Ed25519 cert: unknown version " + version);
    }
    int type = r.u8();
    long expires = r.u32();
    int keyType = r.u8();
    byte[] key = r.take(32);
    int n = r.u8();
    byte[] signing = null;
    for (int i = 0; i < n; i++) {
      int len = r.u16();
      int extType = r.u8();
      int flags = r.u8();
      byte[] data = r.take(len);
      if (extType == EXT_SIGNED_WITH) {
        if (len != 32 || signing != null) {
          throw new TorProtocolException("Ed25519 cert: bad signed-with-key extension");
        }
        signing = data;
      } else if ((flags & FLAG_AFFECTS_VALIDATION) != 0) {
        throw new TorProtocolException("Ed25519 cert: unknown critical extension " + extType);
      }
    }
    int signedLen = r.position();
    byte[] sig = r.take(64);
    if (r.remaining() != 0) {
      throw new TorProtocolException("Ed25519 cert: trailing bytes");
    }
    return new TorCert(type, expires, keyType, key, signing, Arrays.copyOf(raw, signedLen), sig);
  }

  public Instant expires() {
    return Instant.ofEpochSecond(expiresHours * 3600);
  }

  /** Checks the signature with {@code key} (32 bytes). */
  public boolean verifiedBy(byte[] key) {
    return key != null
        && key.length == 32
        && Ed25519.verify(signature, 0, key, 0, signedPart, 0, signedPart.length);
  }
}
