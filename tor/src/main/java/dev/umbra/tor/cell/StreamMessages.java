package dev.umbra.tor.cell;

import java.nio.charset.StandardCharsets;

/** Bodies of the stream relay messages: BEGIN, END, SENDME v1. */
public final class StreamMessages {
  /** BEGIN flag: the client accepts IPv6 answers. */
  public static final int FLAG_IPV6_OK = 1;

  private StreamMessages() {}

  /** BEGIN body: "host:port" NUL, then a 4-byte flags word. */
  public static byte[] begin(String host, int port, int flags) {
    if (host.indexOf('\0') >= 0 || host.isEmpty() || host.length() > 255) {
      throw new IllegalArgumentException("bad host for BEGIN");
    }
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    byte[] a = (h + ":" + port).getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[a.length + 1 + 4];
    System.arraycopy(a, 0, out, 0, a.length);
    out[a.length + 1] = (byte) (flags >>> 24);
    out[a.length + 2] = (byte) (flags >>> 16);
    out[a.length + 3] = (byte) (flags >>> 8);
    out[a.length + 4] = (byte) flags;
    return out;
  }

  /** The END reason byte (MISC when the body is empty). */
  public static int endReason(byte[] body) {
    return body.length == 0 ? 1 : body[0] & 0xFF;
  }

  public static String endReasonName(int reason) {
    return switch (reason) {
      case 1 -> "MISC";
      case 2 -> "RESOLVEFAILED";
      case 3 -> "CONNECTREFUSED";
      case 4 -> "EXITPOLICY";
      case 5 -> "DESTROY";
      case 6 -> "DONE";
      case 7 -> "TIMEOUT";
      case 8 -> "NOROUTE";
      case 9 -> "HIBERNATING";
      case 10 -> "INTERNAL";
      case 11 -> "RESOURCELIMIT";
      case 12 -> "CONNRESET";
      case 13 -> "TORPROTOCOL";
      case 14 -> "NOTDIRECTORY";
      default -> "reason " + reason;
    };
  }

  /** SENDME version 1 body: version 1, length 20, the 20-byte cell digest. */
  public static byte[] sendmeV1(byte[] digest) {
    byte[] out = new byte[3 + 20];
    out[0] = 1;
    out[2] = 20;
    System.arraycopy(digest, 0, out, 3, 20);
    return out;
  }

  /** The digest of a SENDME v1 body, or null for a v0 (empty) SENDME. */
  public static byte[] sendmeDigest(byte[] body) throws TorProtocolException {
    if (body.length == 0) {
      return null;
    }
    Bytes r = new Bytes(body, "SENDME");
    int version = r.u8();
    int len = r.u16();
    byte[] d = r.take(len);
    if (version == 0) {
      return null;
    }
    if (version != 1 || len != 20) {
      throw new TorProtocolException("SENDME: unsupported version " + version + "/len " + len);
    }
    return d;
  }
}
