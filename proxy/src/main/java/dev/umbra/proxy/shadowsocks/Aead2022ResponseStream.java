package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.relay.FramedOutput;
import java.io.IOException;
import java.io.OutputStream;

/**
 * SIP022 response stream: the first write sends salt, the sealed fixed header (type 1, timestamp,
 * request salt, first payload length) and the first payload chunk in one carrier write; after that,
 * ordinary length + payload chunks.
 */
final class Aead2022ResponseStream extends OutputStream implements FramedOutput {
  private final OutputStream raw;
  private final Method.Aead2022 method;
  private final byte[] psk;
  private final byte[] requestSalt;
  private final SaltFilter filter;
  private AeadOutputStream chunks;

  Aead2022ResponseStream(
      OutputStream raw, Method.Aead2022 method, byte[] psk, byte[] requestSalt, SaltFilter filter) {
    this.raw = raw;
    this.method = method;
    this.psk = psk;
    this.requestSalt = requestSalt;
    this.filter = filter;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    if (chunks == null) {
      byte[] salt = new byte[method.saltSize()];
      do {
        Ss2022.random(salt);
      } while (!filter.add(salt));
      AeadCipher cipher = new AeadCipher(method.kind(), Kdf.sessionSubkey2022(psk, salt));
      AeadStreamCodec codec = new AeadStreamCodec(cipher, AeadStreamCodec.MAX_PAYLOAD_2022);
      int n = Math.min(len, AeadStreamCodec.MAX_PAYLOAD_2022);
      byte[] first = encodeFirst(codec, salt, requestSalt, b, off, n);
      raw.write(first);
      chunks = new AeadOutputStream(raw, codec, null);
      off += n;
      len -= n;
    }
    if (len > 0) {
      chunks.write(b, off, len);
    }
  }

  @Override
  public int framePayload() {
    return AeadStreamCodec.MAX_PAYLOAD_2022;
  }

  /** salt || seal(type 1, timestamp, request salt, n) || seal(payload[0..n]). */
  static byte[] encodeFirst(
      AeadStreamCodec codec, byte[] salt, byte[] requestSalt, byte[] b, int off, int n) {
    int headerLen = 1 + 8 + requestSalt.length + 2;
    byte[] header = new byte[headerLen];
    header[0] = Ss2022.TYPE_SERVER;
    Ss2022.putLong(header, 1, Ss2022.now());
    System.arraycopy(requestSalt, 0, header, 9, requestSalt.length);
    header[headerLen - 2] = (byte) (n >>> 8);
    header[headerLen - 1] = (byte) n;
    byte[] out = new byte[salt.length + headerLen + n + 2 * AeadCipher.TAG_SIZE];
    System.arraycopy(salt, 0, out, 0, salt.length);
    int p = salt.length;
    p += codec.sealRaw(header, 0, headerLen, out, p);
    codec.sealRaw(b, off, n, out, p);
    return out;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void flush() throws IOException {
    raw.flush();
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
