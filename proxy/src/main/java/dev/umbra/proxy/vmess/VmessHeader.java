package dev.umbra.proxy.vmess;

import dev.umbra.core.net.Destination;
import dev.umbra.proxy.shadowsocks.AeadCipher;
import dev.umbra.proxy.shadowsocks.CipherKind;
import dev.umbra.proxy.vless.VAddress;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The VMess AEAD request and response headers: auth ID, sealed length and header, FNV-1a check,
 * response header. Pure codec: bytes in, bytes out.
 */
public final class VmessHeader {
  public static final int VERSION = 1;
  public static final int TCP = 1;
  public static final int UDP = 2;
  public static final int MUX = 3;

  private VmessHeader() {}

  /** A request header's fields. */
  @SuppressWarnings("ArrayRecordComponent") // key material, never compared or printed
  public record Request(
      byte[] bodyIv,
      byte[] bodyKey,
      int responseAuth,
      int options,
      Security security,
      int command,
      Destination destination) {}

  /** cmdKey = MD5(uuid || "c48619fe-8f02-49e0-b9e9-edf763e17e21"). */
  public static byte[] cmdKey(byte[] uuid) {
    byte[] salt =
        "c48619fe-8f02-49e0-b9e9-edf763e17e21".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] m = Arrays.copyOf(uuid, uuid.length + salt.length);
    System.arraycopy(salt, 0, m, uuid.length, salt.length);
    return BodyKeys.md5(m);
  }

  static Cipher authIdCipher(byte[] cmdKey, int mode) {
    try {
      Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
      c.init(mode, new SecretKeySpec(VmessKdf.kdf16(cmdKey, "AES Auth ID Encryption"), "AES"));
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The 16-byte auth ID: AES(time u64 || random u32 || CRC32 of those 12 bytes). */
  public static byte[] authId(byte[] cmdKey, long unixSeconds, int random) {
    ByteBuffer b = ByteBuffer.allocate(16).putLong(unixSeconds).putInt(random);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, 12);
    b.putInt((int) crc.getValue());
    try {
      return authIdCipher(cmdKey, Cipher.ENCRYPT_MODE).doFinal(b.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The auth ID's timestamp if its CRC matches under {@code decryptor}, else null. */
  static Long authIdTime(Cipher decryptor, byte[] authId) {
    byte[] p;
    try {
      p = decryptor.doFinal(authId);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    CRC32 crc = new CRC32();
    crc.update(p, 0, 12);
    int expected = ByteBuffer.wrap(p, 12, 4).getInt();
    return (int) crc.getValue() == expected ? ByteBuffer.wrap(p).getLong() : null;
  }

  /** The plaintext header, FNV-1a included; {@code padding} random bytes come from the caller. */
  public static byte[] encode(Request r, byte[] padding) {
    int len = 1 + 16 + 16 + 1 + 1 + 1 + 1 + 1;
    if (r.command() != MUX) {
      len += VAddress.length(r.destination());
    }
    len += padding.length + 4;
    ByteBuffer b = ByteBuffer.allocate(len);
    b.put((byte) VERSION).put(r.bodyIv()).put(r.bodyKey()).put((byte) r.responseAuth());
    b.put((byte) r.options()).put((byte) ((padding.length << 4) | r.security().code()));
    b.put((byte) 0).put((byte) r.command());
    if (r.command() != MUX) {
      VAddress.write(b, r.destination());
    }
    b.put(padding);
    b.putInt(fnv1a(b.array(), 0, b.position()));
    return b.array();
  }

  /** Parses a decrypted header; ProtocolException names what is wrong. */
  public static Request decode(byte[] h) throws ProtocolException {
    if (h.length < 38 + 4) {
      throw new ProtocolException("VMess header too short");
    }
    if (fnv1a(h, 0, h.length - 4) != ByteBuffer.wrap(h, h.length - 4, 4).getInt()) {
      throw new ProtocolException("VMess header checksum mismatch");
    }
    if (h[0] != VERSION) {
      throw new ProtocolException("VMess header version " + h[0]);
    }
    byte[] iv = Arrays.copyOfRange(h, 1, 17);
    byte[] key = Arrays.copyOfRange(h, 17, 33);
    int responseAuth = h[33] & 0xff;
    int options = h[34] & 0xff;
    int paddingLen = (h[35] & 0xff) >> 4;
    Security security = Security.fromCode(h[35] & 0x0f);
    if (security == null) {
      throw new ProtocolException("unsupported VMess security " + (h[35] & 0x0f));
    }
    int command = h[37] & 0xff;
    Destination d = null;
    ByteBuffer rest = ByteBuffer.wrap(h, 38, h.length - 38 - 4).slice();
    if (command == TCP || command == UDP) {
      d = VAddress.read(rest);
    } else if (command != MUX) {
      throw new ProtocolException("unknown VMess command " + command);
    }
    if (rest.remaining() != paddingLen) {
      throw new ProtocolException("VMess header length does not match its padding");
    }
    return new Request(iv, key, responseAuth, options, security, command, d);
  }

  /** authID || sealed length || connection nonce || sealed header. */
  public static byte[] seal(byte[] cmdKey, byte[] authId, byte[] connectionNonce, byte[] header) {
    byte[] out = new byte[16 + 18 + 8 + header.length + 16];
    System.arraycopy(authId, 0, out, 0, 16);
    byte[] len = {(byte) (header.length >> 8), (byte) header.length};
    headerCipher(cmdKey, "VMess Header AEAD Key_Length", authId, connectionNonce)
        .sealWith(
            headerNonce(cmdKey, "VMess Header AEAD Nonce_Length", authId, connectionNonce),
            authId,
            len,
            0,
            2,
            out,
            16);
    System.arraycopy(connectionNonce, 0, out, 34, 8);
    headerCipher(cmdKey, "VMess Header AEAD Key", authId, connectionNonce)
        .sealWith(
            headerNonce(cmdKey, "VMess Header AEAD Nonce", authId, connectionNonce),
            authId,
            header,
            0,
            header.length,
            out,
            42);
    return out;
  }

  /** Opens the sealed length (18 bytes). */
  public static int openLength(byte[] cmdKey, byte[] authId, byte[] nonce, byte[] sealed)
      throws AEADBadTagException {
    byte[] out = new byte[2];
    headerCipher(cmdKey, "VMess Header AEAD Key_Length", authId, nonce)
        .openWith(
            headerNonce(cmdKey, "VMess Header AEAD Nonce_Length", authId, nonce),
            authId,
            sealed,
            0,
            18,
            out,
            0);
    return ((out[0] & 0xff) << 8) | (out[1] & 0xff);
  }

  /** Opens the sealed header (length + 16 bytes). */
  public static byte[] openHeader(byte[] cmdKey, byte[] authId, byte[] nonce, byte[] sealed)
      throws AEADBadTagException {
    byte[] out = new byte[sealed.length - 16];
    headerCipher(cmdKey, "VMess Header AEAD Key", authId, nonce)
        .openWith(
            headerNonce(cmdKey, "VMess Header AEAD Nonce", authId, nonce),
            authId,
            sealed,
            0,
            sealed.length,
            out,
            0);
    return out;
  }

  private static AeadCipher headerCipher(byte[] cmdKey, String label, byte[] authId, byte[] nonce) {
    return new AeadCipher(
        CipherKind.AES_GCM, Arrays.copyOf(VmessKdf.kdf(cmdKey, bytes(label), authId, nonce), 16));
  }

  private static byte[] headerNonce(byte[] cmdKey, String label, byte[] authId, byte[] nonce) {
    return Arrays.copyOf(VmessKdf.kdf(cmdKey, bytes(label), authId, nonce), 12);
  }

  /** The sealed response header [auth, 0, 0, 0] for the response key and IV. */
  public static byte[] sealResponse(byte[] responseKey, byte[] responseIv, int responseAuth) {
    byte[] out = new byte[18 + 20];
    byte[] len = {0, 4};
    new AeadCipher(CipherKind.AES_GCM, VmessKdf.kdf16(responseKey, "AEAD Resp Header Len Key"))
        .sealWith(
            Arrays.copyOf(VmessKdf.kdf(responseIv, "AEAD Resp Header Len IV"), 12),
            null,
            len,
            0,
            2,
            out,
            0);
    byte[] header = {(byte) responseAuth, 0, 0, 0};
    new AeadCipher(CipherKind.AES_GCM, VmessKdf.kdf16(responseKey, "AEAD Resp Header Key"))
        .sealWith(
            Arrays.copyOf(VmessKdf.kdf(responseIv, "AEAD Resp Header IV"), 12),
            null,
            header,
            0,
            4,
            out,
            18);
    return out;
  }

  /** Opens the response header's sealed length (18 bytes). */
  public static int openResponseLength(byte[] responseKey, byte[] responseIv, byte[] sealed)
      throws AEADBadTagException {
    byte[] out = new byte[2];
    new AeadCipher(CipherKind.AES_GCM, VmessKdf.kdf16(responseKey, "AEAD Resp Header Len Key"))
        .openWith(
            Arrays.copyOf(VmessKdf.kdf(responseIv, "AEAD Resp Header Len IV"), 12),
            null,
            sealed,
            0,
            18,
            out,
            0);
    return ((out[0] & 0xff) << 8) | (out[1] & 0xff);
  }

  /** Opens the response header itself (length + 16 bytes). */
  public static byte[] openResponse(byte[] responseKey, byte[] responseIv, byte[] sealed)
      throws AEADBadTagException {
    byte[] out = new byte[sealed.length - 16];
    new AeadCipher(CipherKind.AES_GCM, VmessKdf.kdf16(responseKey, "AEAD Resp Header Key"))
        .openWith(
            Arrays.copyOf(VmessKdf.kdf(responseIv, "AEAD Resp Header IV"), 12),
            null,
            sealed,
            0,
            sealed.length,
            out,
            0);
    return out;
  }

  static int fnv1a(byte[] b, int off, int len) {
    int h = 0x811c9dc5;
    for (int i = off; i < off + len; i++) {
      h ^= b[i] & 0xff;
      h *= 0x01000193;
    }
    return h;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
