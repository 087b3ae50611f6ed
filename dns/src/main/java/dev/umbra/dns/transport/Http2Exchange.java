package dev.umbra.dns.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * One DoH request over a fresh HTTP/2 connection (RFC 9113): preface and SETTINGS, a HEADERS frame
 * (HPACK static-table references and literals without indexing, no Huffman), DATA with the message
 * for POST, then frames until our stream ends. Of the response headers only {@code :status} is read
 * (servers send 200 as static index 8); the body is bounded by the initial flow control window
 * (65,535 bytes), which is also DNS's size limit, so no WINDOW_UPDATE is needed.
 */
final class Http2Exchange {
  static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_FRAME = 16_384;
  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int CONTINUATION = 9;
  static final int END_STREAM = 0x1;
  static final int END_HEADERS = 0x4;
  static final int PADDED = 0x8;
  static final int PRIORITY = 0x20;

  private Http2Exchange() {}

  /** The bytes a client sends: preface, SETTINGS (push off), HEADERS and, for POST, DATA. */
  static byte[] request(String authority, String path, boolean get, byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(PREFACE);
    // SETTINGS_ENABLE_PUSH = 0
    frame(out, SETTINGS, 0, 0, new byte[] {0, 2, 0, 0, 0, 0});
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write(get ? 0x82 : 0x83); // :method GET / POST
    h.write(0x87); // :scheme https
    literal(h, 4, 4, path); // :path
    literal(h, 4, 1, authority); // :authority
    literal(h, 4, 19, "application/dns-message"); // accept
    if (!get) {
      literal(h, 4, 31, "application/dns-message"); // content-type
      literal(h, 4, 28, Integer.toString(message.length)); // content-length
    }
    byte[] block = h.toByteArray();
    if (block.length > MAX_FRAME) {
      throw new IllegalArgumentException("request headers too large");
    }
    frame(out, HEADERS, END_HEADERS | (get ? END_STREAM : 0), 1, block);
    if (!get) {
      frame(out, DATA, END_STREAM, 1, message);
    }
    return out.toByteArray();
  }

  /** Literal header field without indexing, name from the static table (RFC 7541 6.2.2). */
  private static void literal(ByteArrayOutputStream h, int prefixBits, int nameIndex, String v) {
    integer(h, 0x00, prefixBits, nameIndex);
    byte[] b = v.getBytes(StandardCharsets.ISO_8859_1);
    integer(h, 0x00, 7, b.length);
    h.writeBytes(b);
  }

  /** RFC 7541 5.1 integer with an N-bit prefix. */
  static void integer(ByteArrayOutputStream h, int flags, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      h.write(flags | value);
      return;
    }
    h.write(flags | max);
    value -= max;
    while (value >= 128) {
      h.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    h.write(value);
  }

  static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
    int n = payload.length;
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.write(type);
    out.write(flags);
    out.write(stream >>> 24);
    out.write(stream >>> 16);
    out.write(stream >>> 8);
    out.write(stream);
    out.writeBytes(payload);
  }

  /** A response: the status (-1 when it was not one we can read) and the body. */
  record Response(int status, byte[] body) {}

  /** Reads frames until stream 1 ends, answering SETTINGS and PING as the protocol requires. */
  static Response read(InputStream rawIn, OutputStream out) throws IOException {
    DataInputStream in = new DataInputStream(rawIn);
    int status = 0;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int frames = 0;
    while (true) {
      if (++frames > 1_000) {
        throw new ProtocolException("HTTP/2 server sent too many frames");
      }
      int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      if (length > MAX_FRAME) {
        throw new ProtocolException("HTTP/2 frame of " + length + " bytes exceeds our max");
      }
      byte[] p = new byte[length];
      in.readFully(p);
      switch (type) {
        case SETTINGS -> {
          if ((flags & 0x1) == 0) {
            ByteArrayOutputStream ack = new ByteArrayOutputStream();
            frame(ack, SETTINGS, 0x1, 0, new byte[0]);
            out.write(ack.toByteArray());
            out.flush();
          }
        }
        case PING -> {
          if ((flags & 0x1) == 0) {
            ByteArrayOutputStream ack = new ByteArrayOutputStream();
            frame(ack, PING, 0x1, 0, p);
            out.write(ack.toByteArray());
            out.flush();
          }
        }
        case GOAWAY -> throw new ProtocolException("HTTP/2 server sent GOAWAY");
        case RST_STREAM -> {
          if (stream == 1) {
            throw new ProtocolException("HTTP/2 server reset the DoH stream");
          }
        }
        case HEADERS, CONTINUATION -> {
          if (stream == 1 && type == HEADERS && status == 0) {
            status = status(unpad(p, flags, true));
          }
          if (stream == 1 && (flags & END_STREAM) != 0) {
            return new Response(status, body.toByteArray());
          }
        }
        case DATA -> {
          if (stream == 1) {
            byte[] d = unpad(p, flags, false);
            if (body.size() + d.length > 65_535) {
              throw new ProtocolException("DoH body too large");
            }
            body.writeBytes(d);
            if ((flags & END_STREAM) != 0) {
              return new Response(status, body.toByteArray());
            }
          }
        }
        default -> {
          // PRIORITY, WINDOW_UPDATE, PUSH_PROMISE (push is off) and unknown types are ignored
        }
      }
    }
  }

  private static byte[] unpad(byte[] p, int flags, boolean headers) throws ProtocolException {
    int start = 0;
    int end = p.length;
    if ((flags & PADDED) != 0) {
      if (p.length < 1) {
        throw new ProtocolException("bad HTTP/2 padding");
      }
      start = 1;
      end -= p[0] & 0xff;
    }
    if (headers && (flags & PRIORITY) != 0) {
      start += 5;
    }
    if (end < start) {
      throw new ProtocolException("bad HTTP/2 padding");
    }
    return java.util.Arrays.copyOfRange(p, start, end);
  }

  /** :status from the first field of the block, skipping dynamic table size updates. */
  static int status(byte[] block) {
    int i = 0;
    while (i < block.length && (block[i] & 0xe0) == 0x20) {
      boolean more = (block[i] & 0x1f) == 0x1f;
      i++;
      while (more && i < block.length) {
        more = (block[i] & 0x80) != 0;
        i++;
      }
    }
    if (i >= block.length) {
      return -1;
    }
    return switch (block[i] & 0xff) {
      case 0x88 -> 200;
      case 0x89 -> 204;
      case 0x8a -> 206;
      case 0x8b -> 304;
      case 0x8c -> 400;
      case 0x8d -> 404;
      case 0x8e -> 500;
      default -> -1;
    };
  }
}
