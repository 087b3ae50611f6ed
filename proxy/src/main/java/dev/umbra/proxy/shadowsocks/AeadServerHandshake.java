package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.security.SecureRandom;
import java.util.List;
import javax.crypto.AEADBadTagException;

/**
 * SIP004 server side: salt, then the first chunk's length is tried with each user's key (a single
 * key without users); the one that opens it is the user. The salt is recorded only after it
 * authenticated, so random bytes cannot fill the replay filter.
 */
final class AeadServerHandshake implements ServerHandshake {
  /** One accepted key; {@code user} is null for the single-password form. */
  record Key(String user, byte[] key) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Method.Aead method;
  private final List<Key> keys;
  private final SaltFilter filter;

  AeadServerHandshake(Method.Aead method, List<Key> keys, SaltFilter filter) {
    this.method = method;
    this.keys = List.copyOf(keys);
    this.filter = filter;
  }

  @Override
  public ServerRequest accept(InputStream in, OutputStream out) throws IOException {
    byte[] salt = new byte[method.saltSize()];
    byte[] head = new byte[2 + AeadStreamCodec.TAG];
    if (!ServerHandshake.readFully(in, salt) || !ServerHandshake.readFully(in, head)) {
      throw new EOFException("stream ended before the first chunk");
    }
    Key match = null;
    byte[] subkey = null;
    for (Key k : keys) {
      byte[] sk = Kdf.aeadSubkey(k.key(), salt);
      try {
        codec(sk).openLength(head.clone(), 0); // opens in place: keep head for the stream
        if (match == null) {
          match = k;
          subkey = sk;
        }
      } catch (AEADBadTagException e) {
        // not this key
      }
    }
    if (match == null) {
      throw new ShadowsocksException("no key opens the first chunk");
    }
    if (!filter.add(salt)) {
      throw new ShadowsocksException("replayed salt");
    }
    InputStream plain =
        new AeadInputStream(
            new SequenceInputStream(new ByteArrayInputStream(head), in), codec(subkey));
    Destination d = Addresses.read(new DataInputStream(plain));

    byte[] responseSalt = new byte[method.saltSize()];
    do {
      RANDOM.nextBytes(responseSalt);
    } while (!filter.add(responseSalt)); // our own salts count too: a reflected one is a replay
    OutputStream sealed =
        new AeadOutputStream(out, codec(Kdf.aeadSubkey(match.key(), responseSalt)), responseSalt);
    return new ServerRequest(plain, sealed, d, match.user());
  }

  private AeadStreamCodec codec(byte[] subkey) {
    return new AeadStreamCodec(
        new AeadCipher(method.kind(), subkey), AeadStreamCodec.MAX_PAYLOAD_AEAD);
  }
}
