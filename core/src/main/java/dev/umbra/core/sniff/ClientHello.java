package dev.umbra.core.sniff;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a TLS ClientHello body (after the 4-byte handshake header) that routing uses: the
 * server_name host name (RFC 6066) and the ALPN protocol list (RFC 7301). Shared by the TLS and
 * QUIC sniffers.
 *
 * @param serverName a valid host name from server_name, or null if absent or malformed
 * @param alpn the offered application protocols, in order
 */
record ClientHello(String serverName, List<String> alpn) {
  private static final int SERVER_NAME = 0;
  private static final int ALPN = 16;

  /** Parses a ClientHello body; null when its lengths are inconsistent (not a ClientHello). */
  static ClientHello parse(ByteBuffer body) {
    ByteBuffer h = body.duplicate();
    try {
      h.getShort(); // legacy_version
      skip(h, 32); // random
      skip(h, h.get() & 0xff); // session id
      skip(h, h.getShort() & 0xffff); // cipher suites
      skip(h, h.get() & 0xff); // compression methods
      String host = null;
      List<String> alpn = List.of();
      if (!h.hasRemaining()) {
        return new ClientHello(null, alpn);
      }
      int extEnd = (h.getShort() & 0xffff) + h.position();
      if (extEnd > h.limit()) {
        return null;
      }
      while (h.position() + 4 <= extEnd) {
        int type = h.getShort() & 0xffff;
        int len = h.getShort() & 0xffff;
        int end = h.position() + len;
        if (end > extEnd) {
          return null;
        }
        ByteBuffer ext = h.slice(h.position(), len);
        if (type == SERVER_NAME) {
          host = serverName(ext);
        } else if (type == ALPN) {
          alpn = alpn(ext);
        }
        h.position(end);
      }
      return new ClientHello(host, alpn);
    } catch (RuntimeException e) {
      return null; // truncated or inconsistent lengths
    }
  }

  private static String serverName(ByteBuffer e) {
    int listEnd = Math.min(e.limit(), 2 + (e.getShort() & 0xffff));
    while (e.position() + 3 <= listEnd) {
      int nameType = e.get() & 0xff;
      int nameLen = e.getShort() & 0xffff;
      if (nameType == 0) {
        byte[] name = new byte[nameLen];
        e.get(name);
        String host = new String(name, StandardCharsets.US_ASCII);
        return TlsSniffer.validHost(host) ? host : null;
      }
      skip(e, nameLen);
    }
    return null;
  }

  private static List<String> alpn(ByteBuffer e) {
    int listEnd = Math.min(e.limit(), 2 + (e.getShort() & 0xffff));
    List<String> out = new ArrayList<>();
    while (e.position() + 1 <= listEnd) {
      int len = e.get() & 0xff;
      byte[] p = new byte[len];
      e.get(p);
      out.add(new String(p, StandardCharsets.US_ASCII));
    }
    return out;
  }

  private static void skip(ByteBuffer b, int n) {
    b.position(b.position() + n);
  }
}
