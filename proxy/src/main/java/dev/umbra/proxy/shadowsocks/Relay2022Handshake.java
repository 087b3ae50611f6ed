package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SIP022 relay (EIH): opens the first identity header with this server's identity PSK, finds the
 * destination whose PSK hash it carries, and forwards the salt and the rest of the request (minus
 * that header) to it unchanged. The relay never sees the payload.
 */
final class Relay2022Handshake implements ServerHandshake {
  /** A next hop: its name, address and PSK. */
  record Hop(String name, Destination server, byte[] psk) {}

  private final Method.Aead2022 method;
  private final byte[] identityPsk;
  private final Map<ByteBuffer, Hop> hops;

  Relay2022Handshake(Method.Aead2022 method, byte[] identityPsk, List<Hop> hops) {
    this.method = method;
    this.identityPsk = identityPsk;
    Map<ByteBuffer, Hop> m = new HashMap<>();
    for (Hop h : hops) {
      m.put(ByteBuffer.wrap(Kdf.pskHash2022(h.psk())), h);
    }
    this.hops = Map.copyOf(m);
  }

  @Override
  public ServerRequest accept(InputStream in, OutputStream out) throws IOException {
    byte[] salt = new byte[method.saltSize()];
    byte[] header = new byte[Ss2022.IDENTITY_HEADER];
    if (!ServerHandshake.readFully(in, salt) || !ServerHandshake.readFully(in, header)) {
      throw new EOFException("stream ended inside the identity header");
    }
    byte[] hash = Ss2022.openTcpIdentityHeader(identityPsk, salt, header);
    Hop hop = hops.get(ByteBuffer.wrap(hash));
    if (hop == null) {
      throw new ShadowsocksException("unknown identity");
    }
    InputStream forwarded = new SequenceInputStream(new ByteArrayInputStream(salt), in);
    return new ServerRequest(forwarded, out, hop.server(), hop.name());
  }
}
