package dev.umbra.dns.transport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tech.kwik.qpack.Decoder;
import tech.kwik.qpack.Encoder;

/**
 * The HTTP/3 (RFC 9114) pieces a DoH3 client needs, bytes in and out: variable-length integers,
 * frames, the client's control stream, one request (HEADERS, then DATA) and one response. Field
 * sections are QPACK (RFC 9204) without a dynamic table, which is what the client's SETTINGS allow
 * (capacity 0, the default). Every size a server controls is bounded.
 */
final class Http3Codec {
  static final long FRAME_DATA = 0x00;
  static final long FRAME_HEADERS = 0x01;
  static final long FRAME_CANCEL_PUSH = 0x03;
  static final long FRAME_SETTINGS = 0x04;
  static final long FRAME_PUSH_PROMISE = 0x05;
  static final long FRAME_GOAWAY = 0x07;
  static final long FRAME_MAX_PUSH_ID = 0x0d;

  static final long STREAM_CONTROL = 0x00;
  static final long STREAM_PUSH = 0x01;
  static final long STREAM_QPACK_ENCODER = 0x02;
  static final long STREAM_QPACK_DECODER = 0x03;

  static final long SETTINGS_MAX_FIELD_SECTION_SIZE = 0x06;

  static final long H3_GENERAL_PROTOCOL_ERROR = 0x101;
  static final long H3_STREAM_CREATION_ERROR = 0x103;
  static final long H3_CLOSED_CRITICAL_STREAM = 0x104;
  static final long H3_FRAME_UNEXPECTED = 0x105;
  static final long H3_FRAME_ERROR = 0x106;
  static final long H3_ID_ERROR = 0x108;
  static final long H3_SETTINGS_ERROR = 0x109;
  static final long H3_MISSING_SETTINGS = 0x10a;
  static final long H3_REQUEST_CANCELLED = 0x10c;
  static final long H3_MESSAGE_ERROR = 0x10e;

  /** The largest field section (headers) accepted, also announced in SETTINGS. */
  static final int MAX_FIELD_SECTION = 16 * 1024;

  /** A DNS message is at most 65535 bytes. */
  static final int MAX_BODY = 65_535;

  /** Unknown (extension) frames skipped per response or on the control stream. */
  static final int MAX_SKIPPED = 16 * 1024;

  /** A server's misbehaviour, with the HTTP/3 error code to close the connection with. */
  static final class Http3Exception extends ProtocolException {
    private static final long serialVersionUID = 1L;
    final long code;

    Http3Exception(long code, String message) {
      super(message);
      this.code = code;
    }
  }

  record Frame(long type, byte[] payload) {}

  record Response(int status, String contentType, byte[] body) {}

  private Http3Codec() {}

  static void writeVarint(ByteArrayOutputStream out, long v) {
    if (v < 0 || v >= (1L << 62)) {
      throw new IllegalArgumentException("not a QUIC variable-length integer: " + v);
    }
    if (v < (1 << 6)) {
      out.write((int) v);
    } else if (v < (1 << 14)) {
      out.write((int) (0x40 | (v >> 8)));
      out.write((int) v);
    } else if (v < (1L << 30)) {
      out.write((int) (0x80 | (v >> 24)));
      out.write((int) (v >> 16));
      out.write((int) (v >> 8));
      out.write((int) v);
    } else {
      out.write((int) (0xc0 | (v >> 56)));
      for (int shift = 48; shift >= 0; shift -= 8) {
        out.write((int) (v >> shift));
      }
    }
  }

  /** The next variable-length integer, or -1 at a clean end of stream before its first byte. */
  static long readVarint(InputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      return -1;
    }
    int length = 1 << (first >> 6);
    long v = first & 0x3f;
    for (int i = 1; i < length; i++) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("HTTP/3 stream ended inside an integer");
      }
      v = (v << 8) | b;
    }
    return v;
  }

  static void writeFrame(ByteArrayOutputStream out, long type, byte[] payload) {
    writeVarint(out, type);
    writeVarint(out, payload.length);
    out.writeBytes(payload);
  }

  /** The client's control stream as it starts: its type, then SETTINGS. */
  static byte[] controlStreamPreface() {
    ByteArrayOutputStream settings = new ByteArrayOutputStream();
    writeVarint(settings, SETTINGS_MAX_FIELD_SECTION_SIZE);
    writeVarint(settings, MAX_FIELD_SECTION);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarint(out, STREAM_CONTROL);
    writeFrame(out, FRAME_SETTINGS, settings.toByteArray());
    return out.toByteArray();
  }

  /**
   * One request as it goes on a request stream: HEADERS (pseudo-fields first, names lower case),
   * then the body in one DATA frame when there is one. The stream's FIN follows.
   */
  static byte[] request(
      String method,
      String authority,
      String path,
      List<Map.Entry<String, String>> fields,
      byte[] body) {
    List<Map.Entry<String, String>> all = new ArrayList<>();
    all.add(Map.entry(":method", method));
    all.add(Map.entry(":scheme", "https"));
    all.add(Map.entry(":authority", authority));
    all.add(Map.entry(":path", path));
    all.addAll(fields);
    Encoder qpack = Encoder.newBuilder().build();
    ByteBuffer section = qpack.compressHeaders(all);
    section.flip(); // the encoder leaves its buffer positioned after what it wrote
    byte[] headers = new byte[section.remaining()];
    section.get(headers);
    ByteArrayOutputStream out = new ByteArrayOutputStream(headers.length + 16 + body.length);
    writeFrame(out, FRAME_HEADERS, headers);
    if (body.length > 0) {
      writeFrame(out, FRAME_DATA, body);
    }
    return out.toByteArray();
  }

  /**
   * The next frame of a stream, or null at a clean end of stream. Payloads of HEADERS and SETTINGS
   * are read up to {@code maxPayload}; DATA up to {@code maxData}; other frames are returned with
   * an empty payload after skipping theirs (the caller counts {@code skipped}).
   */
  static Frame readFrame(InputStream in, int maxPayload, int maxData, int[] skipped)
      throws IOException {
    long type = readVarint(in);
    if (type < 0) {
      return null;
    }
    long length = readVarint(in);
    if (length < 0) {
      throw new Http3Exception(H3_FRAME_ERROR, "HTTP/3 stream ended inside a frame header");
    }
    boolean known =
        type == FRAME_DATA
            || type == FRAME_HEADERS
            || type == FRAME_SETTINGS
            || type == FRAME_GOAWAY
            || type == FRAME_CANCEL_PUSH
            || type == FRAME_MAX_PUSH_ID
            || type == FRAME_PUSH_PROMISE;
    if (type == 0x02 || type == 0x06 || type == 0x08 || type == 0x09) {
      // HTTP/2 frame types reserved in HTTP/3 (RFC 9114 §7.2.8)
      throw new Http3Exception(H3_FRAME_UNEXPECTED, "HTTP/2 frame type " + type + " in HTTP/3");
    }
    if (!known) {
      skipped[0] += (int) Math.min(length, Integer.MAX_VALUE);
      if (length > MAX_SKIPPED || skipped[0] > MAX_SKIPPED) {
        throw new Http3Exception(H3_FRAME_ERROR, "too many bytes of unknown HTTP/3 frames");
      }
      readExactly(in, (int) length);
      return new Frame(type, new byte[0]);
    }
    long max = type == FRAME_DATA ? maxData : maxPayload;
    if (length > max) {
      throw new Http3Exception(
          type == FRAME_DATA ? H3_MESSAGE_ERROR : H3_FRAME_ERROR,
          "HTTP/3 frame of type " + type + " with " + length + " bytes is too large");
    }
    return new Frame(type, readExactly(in, (int) length));
  }

  private static byte[] readExactly(InputStream in, int length) throws IOException {
    byte[] b = in.readNBytes(length);
    if (b.length < length) {
      throw new Http3Exception(H3_FRAME_ERROR, "HTTP/3 stream ended inside a frame");
    }
    return b;
  }

  /**
   * A response read to the end of its stream: interim (1xx) responses skipped, the final status,
   * content type and body (DATA frames joined, at most {@link #MAX_BODY} bytes), trailers ignored.
   */
  static Response readResponse(InputStream in) throws IOException {
    int[] skipped = {0};
    Map<String, String> head = null;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean trailers = false;
    while (true) {
      Frame f = readFrame(in, MAX_FIELD_SECTION, MAX_BODY - body.size(), skipped);
      if (f == null) {
        break;
      }
      if (f.type() == FRAME_HEADERS) {
        Map<String, String> fields = decode(f.payload());
        if (head == null) {
          int status = status(fields);
          if (status >= 100 && status < 200) {
            continue;
          }
          head = fields;
        } else if (!trailers) {
          trailers = true;
        } else {
          throw new Http3Exception(H3_FRAME_UNEXPECTED, "HEADERS after the trailers");
        }
      } else if (f.type() == FRAME_DATA) {
        if (head == null || trailers) {
          throw new Http3Exception(H3_FRAME_UNEXPECTED, "DATA outside the response body");
        }
        body.writeBytes(f.payload());
      } else if (f.type() == FRAME_PUSH_PROMISE) {
        // no MAX_PUSH_ID was sent, so a push is an ID error (RFC 9114 §7.2.5)
        throw new Http3Exception(H3_ID_ERROR, "PUSH_PROMISE without MAX_PUSH_ID");
      } else if (isControlFrame(f.type())) {
        throw new Http3Exception(
            H3_FRAME_UNEXPECTED, "HTTP/3 frame of type " + f.type() + " on a request stream");
      }
      // anything else is an extension frame, already skipped
    }
    if (head == null) {
      throw new Http3Exception(H3_MESSAGE_ERROR, "the request stream ended without a response");
    }
    return new Response(status(head), head.get("content-type"), body.toByteArray());
  }

  private static boolean isControlFrame(long type) {
    return type == FRAME_SETTINGS
        || type == FRAME_GOAWAY
        || type == FRAME_CANCEL_PUSH
        || type == FRAME_MAX_PUSH_ID;
  }

  private static int status(Map<String, String> fields) throws Http3Exception {
    String s = fields.get(":status");
    if (s == null || s.length() != 3 || !s.chars().allMatch(Character::isDigit)) {
      throw new Http3Exception(H3_MESSAGE_ERROR, "response without a valid :status");
    }
    return Integer.parseInt(s);
  }

  /** A field section (static table and literals only: our SETTINGS allow no dynamic table). */
  static Map<String, String> decode(byte[] section) throws Http3Exception {
    List<Map.Entry<String, String>> fields;
    try {
      fields = Decoder.newBuilder().build().decodeStream(new ByteArrayInputStream(section));
    } catch (IOException | RuntimeException e) {
      // 0x200 = QPACK_DECOMPRESSION_FAILED (RFC 9204 §6)
      throw new Http3Exception(0x200, "undecodable QPACK field section: " + e.getMessage());
    }
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, String> e : fields) {
      out.merge(e.getKey(), e.getValue(), (a, b) -> a + ", " + b);
    }
    return out;
  }

  /** A peer's SETTINGS frame payload, checked as RFC 9114 §7.2.4 asks. */
  static Map<Long, Long> settings(byte[] payload) throws IOException {
    Map<Long, Long> out = new HashMap<>();
    InputStream in = new ByteArrayInputStream(payload);
    while (true) {
      long id = readVarint(in);
      if (id < 0) {
        return out;
      }
      long value = readVarint(in);
      if (value < 0) {
        throw new Http3Exception(H3_FRAME_ERROR, "SETTINGS ends inside a setting");
      }
      if (id >= 0x02 && id <= 0x05) {
        throw new Http3Exception(H3_SETTINGS_ERROR, "HTTP/2 setting " + id + " in HTTP/3");
      }
      if (out.put(id, value) != null) {
        throw new Http3Exception(H3_SETTINGS_ERROR, "setting " + id + " appears twice");
      }
    }
  }
}
