package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;

/**
 * SIP022 TCP server side: salt, an identity header when the server has users (SIP022 EIH), the
 * sealed fixed header (type, timestamp, length) and the sealed variable header (address, padding,
 * initial payload). Type, timestamp window, salt replay and header rules are checked before
 * anything is answered.
 */
final class Aead2022ServerHandshake implements ServerHandshake {
  private final Method.Aead2022 method;
  private final Ss2022Keys keys;
  private final SaltFilter filter;

  Aead2022ServerHandshake(Method.Aead2022 method, Ss2022Keys keys, SaltFilter filter) {
    this.method = method;
    this.keys = keys;
    this.filter = filter;
  }

  @Override
  public ServerRequest accept(InputStream in, OutputStream out) throws IOException {
    int saltSize = method.saltSize();
    int eih = keys.multiUser() ? Ss2022.IDENTITY_HEADER : 0;
    byte[] first = new byte[saltSize + eih + Ss2022.FIXED_REQUEST_HEADER + AeadCipher.TAG_SIZE];
    if (!ServerHandshake.readFully(in, first)) {
      throw new EOFException("stream ended inside the request header");
    }
    byte[] salt = java.util.Arrays.copyOf(first, saltSize);
    byte[] psk = keys.psk();
    String user = null;
    if (eih > 0) {
      byte[] hash =
          Ss2022.openTcpIdentityHeader(
              keys.psk(), salt, java.util.Arrays.copyOfRange(first, saltSize, saltSize + eih));
      Ss2022Keys.User u = keys.user(hash);
      if (u == null) {
        throw new ShadowsocksException("unknown identity");
      }
      psk = u.psk();
      user = u.name();
    }
    AeadCipher cipher = new AeadCipher(method.kind(), Kdf.sessionSubkey2022(psk, salt));
    AeadStreamCodec codec = new AeadStreamCodec(cipher, AeadStreamCodec.MAX_PAYLOAD_2022);
    byte[] fixed = new byte[Ss2022.FIXED_REQUEST_HEADER];
    try {
      cipher.open(first, saltSize + eih, fixed.length + AeadCipher.TAG_SIZE, fixed, 0);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new ShadowsocksException("request header authentication failed", e);
    }
    if (fixed[0] != Ss2022.TYPE_CLIENT) {
      throw new ShadowsocksException("request header type " + fixed[0]);
    }
    Ss2022.checkTimestamp(Ss2022.getLong(fixed, 1));
    int varLen = (fixed[9] & 0xff) << 8 | (fixed[10] & 0xff);
    if (!filter.add(salt)) {
      throw new ShadowsocksException("replayed salt");
    }
    AeadInputStream chunks = new AeadInputStream(in, codec);
    byte[] variable = chunks.readRaw(varLen);
    ByteBuffer v = ByteBuffer.wrap(variable);
    Destination d = Addresses.read(v);
    if (v.remaining() < 2) {
      throw new ShadowsocksException("variable header ends before the padding length");
    }
    int padding = v.getShort() & 0xffff;
    if (padding > Ss2022.MAX_PADDING || padding > v.remaining()) {
      throw new ShadowsocksException("padding of " + padding + " bytes is out of bounds");
    }
    v.position(v.position() + padding);
    if (padding == 0 && !v.hasRemaining()) {
      throw new ShadowsocksException("request header has neither padding nor payload");
    }
    byte[] initial = new byte[v.remaining()];
    v.get(initial);
    InputStream plain = new SequenceInputStream(new ByteArrayInputStream(initial), chunks);
    OutputStream response = new Aead2022ResponseStream(out, method, psk, salt, filter);
    return new ServerRequest(plain, response, d, user);
  }
}
