package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.SocksAddress;
import dev.umbra.transport.StreamConn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * SIP022 TCP client: the request (salt, identity headers for every PSK but the last, sealed fixed
 * header, sealed variable header with the first payload or random padding) goes in one carrier
 * write; the response's salt, type, timestamp and request salt are checked before any payload.
 */
final class Aead2022Client {
  private Aead2022Client() {}

  static Conn open(
      Conn carrier,
      Method.Aead2022 method,
      List<byte[]> psks,
      Destination destination,
      SaltFilter serverSalts) {
    byte[] salt = new byte[method.saltSize()];
    Ss2022.random(salt);
    byte[] userPsk = psks.getLast();
    AeadCipher cipher = new AeadCipher(method.kind(), Kdf.sessionSubkey2022(userPsk, salt));
    AeadStreamCodec codec = new AeadStreamCodec(cipher, AeadStreamCodec.MAX_PAYLOAD_2022);
    OutputStream chunks = new AeadOutputStream(carrier.out(), codec, null);
    ClientSession session =
        new ClientSession(
            (b, off, len) -> {
              byte[] request = encodeRequest(codec, salt, psks, destination, b, off, len);
              int taken = Math.min(len, maxInitialPayload(destination));
              carrier.out().write(request);
              if (len > taken) {
                chunks.write(b, off + taken, len - taken);
              }
              carrier.out().flush();
            },
            chunks);
    InputStream response =
        new LazyInputStream(() -> openResponse(carrier.in(), method, userPsk, salt, serverSalts));
    return new StreamConn(carrier, session.in(response), session.out());
  }

  static int maxInitialPayload(Destination d) {
    return AeadStreamCodec.MAX_PAYLOAD_2022 - SocksAddress.length(d) - 2;
  }

  /** The whole request head; the first payload (up to what fits) becomes the initial payload. */
  static byte[] encodeRequest(
      AeadStreamCodec codec,
      byte[] salt,
      List<byte[]> psks,
      Destination destination,
      byte[] b,
      int off,
      int len) {
    int n = Math.min(len, maxInitialPayload(destination));
    int padding = n == 0 ? Ss2022.randomPadding() : 0;
    int varLen = SocksAddress.length(destination) + 2 + padding + n;
    ByteBuffer var = ByteBuffer.allocate(varLen);
    SocksAddress.write(var, destination);
    var.putShort((short) padding);
    var.position(var.position() + padding); // zero padding: it is encrypted anyway
    var.put(b, off, n);
    byte[] fixed = new byte[Ss2022.FIXED_REQUEST_HEADER];
    fixed[0] = Ss2022.TYPE_CLIENT;
    Ss2022.putLong(fixed, 1, Ss2022.now());
    fixed[9] = (byte) (varLen >>> 8);
    fixed[10] = (byte) varLen;
    int eih = (psks.size() - 1) * Ss2022.IDENTITY_HEADER;
    byte[] out = new byte[salt.length + eih + fixed.length + varLen + 2 * AeadCipher.TAG_SIZE];
    System.arraycopy(salt, 0, out, 0, salt.length);
    int p = salt.length;
    for (int i = 0; i + 1 < psks.size(); i++) {
      byte[] h = Ss2022.tcpIdentityHeader(psks.get(i), psks.get(i + 1), salt);
      System.arraycopy(h, 0, out, p, h.length);
      p += h.length;
    }
    p += codec.sealRaw(fixed, 0, fixed.length, out, p);
    codec.sealRaw(var.array(), 0, varLen, out, p);
    return out;
  }

  private static InputStream openResponse(
      InputStream in, Method.Aead2022 method, byte[] psk, byte[] requestSalt, SaltFilter salts)
      throws IOException {
    byte[] salt = new byte[method.saltSize()];
    int first = in.read(salt, 0, 1);
    if (first < 0) {
      return null; // closed without a response
    }
    byte[] rest = new byte[salt.length - 1];
    if (!ServerHandshake.readFully(in, rest)) {
      throw new ShadowsocksException("server closed inside its salt");
    }
    System.arraycopy(rest, 0, salt, 1, rest.length);
    AeadCipher cipher = new AeadCipher(method.kind(), Kdf.sessionSubkey2022(psk, salt));
    AeadStreamCodec codec = new AeadStreamCodec(cipher, AeadStreamCodec.MAX_PAYLOAD_2022);
    AeadInputStream chunks = new AeadInputStream(in, codec);
    byte[] header = chunks.readRaw(1 + 8 + requestSalt.length + 2);
    if (header[0] != Ss2022.TYPE_SERVER) {
      throw new ShadowsocksException("response header type " + header[0]);
    }
    Ss2022.checkTimestamp(Ss2022.getLong(header, 1));
    if (!java.security.MessageDigest.isEqual(
        java.util.Arrays.copyOfRange(header, 9, 9 + requestSalt.length), requestSalt)) {
      throw new ShadowsocksException("response is for another request salt");
    }
    if (!salts.add(salt)) {
      throw new ShadowsocksException("replayed response salt");
    }
    int len = (header[header.length - 2] & 0xff) << 8 | (header[header.length - 1] & 0xff);
    chunks.expectPayload(len);
    return chunks;
  }
}
