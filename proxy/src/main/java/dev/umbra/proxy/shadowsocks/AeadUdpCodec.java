package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.SocksAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import javax.crypto.AEADBadTagException;

/**
 * SIP004 UDP: every datagram is {@code salt || seal(address || payload)} with a fresh salt, a
 * subkey from it and the all-zero nonce. Method none: {@code address || payload}.
 */
final class AeadUdpCodec {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AeadUdpCodec() {}

  /** Seals {@code address || payload} for a key; {@code method} null means none. */
  static byte[] seal(Method.Aead method, byte[] key, Destination address, ByteBuffer payload) {
    int addrLen = SocksAddress.length(address);
    int len = addrLen + payload.remaining();
    if (method == null) {
      ByteBuffer b = ByteBuffer.allocate(len);
      SocksAddress.write(b, address);
      b.put(payload);
      return b.array();
    }
    int saltSize = method.saltSize();
    byte[] out = new byte[saltSize + len + AeadCipher.TAG_SIZE];
    byte[] salt = new byte[saltSize];
    RANDOM.nextBytes(salt);
    System.arraycopy(salt, 0, out, 0, saltSize);
    ByteBuffer plain = ByteBuffer.wrap(out, saltSize, len);
    SocksAddress.write(plain, address);
    plain.put(payload);
    AeadCipher c = new AeadCipher(method.kind(), Kdf.aeadSubkey(key, salt));
    c.sealWith(new byte[method.kind().nonceSize()], null, out, saltSize, len, out, saltSize);
    return out;
  }

  /** Opens a datagram sealed with {@code key}; returns the plaintext or throws on a bad tag. */
  static ByteBuffer open(Method.Aead method, byte[] key, byte[] packet, int len)
      throws AEADBadTagException {
    int saltSize = method.saltSize();
    if (len < saltSize + AeadCipher.TAG_SIZE) {
      throw new AEADBadTagException("datagram too short");
    }
    byte[] salt = java.util.Arrays.copyOf(packet, saltSize);
    AeadCipher c = new AeadCipher(method.kind(), Kdf.aeadSubkey(key, salt));
    byte[] plain = new byte[len - saltSize - AeadCipher.TAG_SIZE];
    c.openWith(
        new byte[method.kind().nonceSize()], null, packet, saltSize, len - saltSize, plain, 0);
    return ByteBuffer.wrap(plain);
  }

  static UdpServerCodec server(Method method, List<AeadServerHandshake.Key> keys) {
    Method.Aead aead = method instanceof Method.Aead a ? a : null;
    return (packet, len) -> {
      if (aead == null) {
        ByteBuffer b = ByteBuffer.wrap(packet, 0, len).slice();
        Destination d = Addresses.read(b);
        return new UdpServerCodec.Incoming(
            null, null, d, b.slice(), (src, p) -> seal(null, null, src, p));
      }
      for (AeadServerHandshake.Key k : keys) {
        ByteBuffer plain;
        try {
          plain = open(aead, k.key(), packet, len);
        } catch (AEADBadTagException e) {
          continue;
        }
        Destination d = Addresses.read(plain);
        byte[] key = k.key();
        return new UdpServerCodec.Incoming(
            null, k.user(), d, plain.slice(), (src, p) -> seal(aead, key, src, p));
      }
      throw new ShadowsocksException("no key opens the datagram");
    };
  }

  static UdpClientCodec client(Method method, byte[] key) {
    Method.Aead aead = method instanceof Method.Aead a ? a : null;
    return new UdpClientCodec() {
      @Override
      public byte[] seal(Destination to, ByteBuffer payload) {
        return AeadUdpCodec.seal(aead, key, to, payload);
      }

      @Override
      public Destination open(byte[] packet, int len, ByteBuffer into) throws ShadowsocksException {
        ByteBuffer plain;
        if (aead == null) {
          plain = ByteBuffer.wrap(packet, 0, len);
        } else {
          try {
            plain = AeadUdpCodec.open(aead, key, packet, len);
          } catch (AEADBadTagException e) {
            throw new ShadowsocksException("reply datagram does not authenticate", e);
          }
        }
        Destination from = Addresses.read(plain);
        into.put(
            plain.array(),
            plain.arrayOffset() + plain.position(),
            Math.min(plain.remaining(), into.remaining()));
        return from;
      }
    };
  }
}
