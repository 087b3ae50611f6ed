package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.SocksAddress;
import java.nio.ByteBuffer;
import javax.crypto.AEADBadTagException;

/**
 * SIP022 UDP packet layouts, bytes only. AES methods: {@code AES(psk, sessionId || packetId)},
 * identity headers, then the body sealed with the session subkey and nonce {@code
 * separateHeader[4..16]}. ChaCha: a 24-byte random nonce and the whole message (ids included)
 * sealed with XChaCha20-Poly1305 under the PSK.
 */
final class Aead2022Udp {
  static final int SEPARATE_HEADER = 16;
  static final int XNONCE = 24;

  private Aead2022Udp() {}

  /** Plain message header fields as decoded. */
  record Message(
      long sessionId,
      long packetId,
      int type,
      long timestamp,
      long clientSessionId,
      Destination address,
      ByteBuffer payload) {}

  /** Builds the body: type, timestamp, [client session id], padding length 0, address, payload. */
  static byte[] body(int type, long clientSessionId, Destination address, ByteBuffer payload) {
    boolean server = type == Ss2022.TYPE_SERVER;
    int len = 1 + 8 + (server ? 8 : 0) + 2 + SocksAddress.length(address) + payload.remaining();
    ByteBuffer b = ByteBuffer.allocate(len);
    b.put((byte) type).putLong(Ss2022.now());
    if (server) {
      b.putLong(clientSessionId);
    }
    b.putShort((short) 0);
    SocksAddress.write(b, address);
    b.put(payload);
    return b.array();
  }

  /** Parses a body (after the ids for ChaCha) and checks type and timestamp. */
  static Message parseBody(long sessionId, long packetId, ByteBuffer b, int expectType)
      throws ShadowsocksException {
    try {
      int type = b.get() & 0xff;
      if (type != expectType) {
        throw new ShadowsocksException("packet type " + type);
      }
      long ts = b.getLong();
      Ss2022.checkTimestamp(ts);
      long client = expectType == Ss2022.TYPE_SERVER ? b.getLong() : 0;
      int padding = b.getShort() & 0xffff;
      if (padding > Ss2022.MAX_PADDING || padding > b.remaining()) {
        throw new ShadowsocksException("padding out of bounds");
      }
      b.position(b.position() + padding);
      Destination address = Addresses.read(b);
      return new Message(sessionId, packetId, type, ts, client, address, b.slice());
    } catch (java.nio.BufferUnderflowException e) {
      throw new ShadowsocksException("truncated packet");
    }
  }

  static byte[] separateHeader(long sessionId, long packetId) {
    byte[] h = new byte[SEPARATE_HEADER];
    Ss2022.putLong(h, 0, sessionId);
    Ss2022.putLong(h, 8, packetId);
    return h;
  }

  static byte[] nonce(byte[] separateHeader) {
    return java.util.Arrays.copyOfRange(separateHeader, 4, 16);
  }

  /** UDP identity header: AES(psk, hash(nextPsk) XOR separateHeader). */
  static byte[] identityHeader(byte[] psk, byte[] nextPsk, byte[] separateHeader) {
    byte[] x = Kdf.pskHash2022(nextPsk);
    for (int i = 0; i < 16; i++) {
      x[i] ^= separateHeader[i];
    }
    return Ss2022.aesBlock(psk, x, true);
  }

  /** Opens a UDP identity header back to the PSK hash it carries. */
  static byte[] openIdentityHeader(byte[] psk, byte[] header, byte[] separateHeader) {
    byte[] x = Ss2022.aesBlock(psk, header, false);
    for (int i = 0; i < 16; i++) {
      x[i] ^= separateHeader[i];
    }
    return x;
  }

  /** AES form: seals an already built body. */
  static byte[] sealAes(
      byte[] headerPsk,
      byte[][] identityHeaders,
      AeadCipher session,
      long sessionId,
      long packetId,
      byte[] body) {
    byte[] sep = separateHeader(sessionId, packetId);
    int eih = identityHeaders.length * 16;
    byte[] out = new byte[SEPARATE_HEADER + eih + body.length + AeadCipher.TAG_SIZE];
    System.arraycopy(Ss2022.aesBlock(headerPsk, sep, true), 0, out, 0, 16);
    for (int i = 0; i < identityHeaders.length; i++) {
      System.arraycopy(identityHeaders[i], 0, out, 16 + i * 16, 16);
    }
    session.sealWith(nonce(sep), null, body, 0, body.length, out, SEPARATE_HEADER + eih);
    return out;
  }

  /** ChaCha form: nonce || seal(sessionId || packetId || body). */
  static byte[] sealChacha(AeadCipher xchacha, long sessionId, long packetId, byte[] body) {
    byte[] plain = new byte[16 + body.length];
    Ss2022.putLong(plain, 0, sessionId);
    Ss2022.putLong(plain, 8, packetId);
    System.arraycopy(body, 0, plain, 16, body.length);
    byte[] out = new byte[XNONCE + plain.length + AeadCipher.TAG_SIZE];
    byte[] n = new byte[XNONCE];
    Ss2022.random(n);
    System.arraycopy(n, 0, out, 0, XNONCE);
    xchacha.sealWith(n, null, plain, 0, plain.length, out, XNONCE);
    return out;
  }

  /** ChaCha form: opens the whole message; returns ids + body plaintext. */
  static ByteBuffer openChacha(AeadCipher xchacha, byte[] packet, int len)
      throws ShadowsocksException {
    if (len < XNONCE + 16 + AeadCipher.TAG_SIZE) {
      throw new ShadowsocksException("packet too short");
    }
    byte[] n = java.util.Arrays.copyOf(packet, XNONCE);
    byte[] plain = new byte[len - XNONCE - AeadCipher.TAG_SIZE];
    try {
      xchacha.openWith(n, null, packet, XNONCE, len - XNONCE, plain, 0);
    } catch (AEADBadTagException e) {
      throw new ShadowsocksException("packet does not authenticate", e);
    }
    return ByteBuffer.wrap(plain);
  }

  /** AES form: opens the body at {@code off} with the session cipher and separate header. */
  static ByteBuffer openAesBody(AeadCipher session, byte[] sep, byte[] packet, int off, int len)
      throws ShadowsocksException {
    if (len - off < AeadCipher.TAG_SIZE) {
      throw new ShadowsocksException("packet too short");
    }
    byte[] plain = new byte[len - off - AeadCipher.TAG_SIZE];
    try {
      session.openWith(nonce(sep), null, packet, off, len - off, plain, 0);
    } catch (AEADBadTagException e) {
      throw new ShadowsocksException("packet does not authenticate", e);
    }
    return ByteBuffer.wrap(plain);
  }
}
