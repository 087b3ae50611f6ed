package dev.umbra.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The few DER (X.690) encodings a certificate and a key wrapper need. Each method returns one
 * complete TLV; callers nest them.
 */
final class Der {
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  private Der() {}

  static byte[] tlv(int tag, byte[]... content) {
    int len = 0;
    for (byte[] c : content) {
      len += c.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(len + 6);
    out.write(tag);
    if (len < 0x80) {
      out.write(len);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(len) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(len >>> (8 * i));
      }
    }
    for (byte[] c : content) {
      out.writeBytes(c);
    }
    return out.toByteArray();
  }

  static byte[] sequence(byte[]... content) {
    return tlv(0x30, content);
  }

  static byte[] set(byte[]... content) {
    return tlv(0x31, content);
  }

  /** A context-specific constructed tag, {@code [n] EXPLICIT}. */
  static byte[] explicit(int n, byte[]... content) {
    return tlv(0xa0 | n, content);
  }

  static byte[] integer(BigInteger value) {
    return tlv(0x02, value.toByteArray());
  }

  static byte[] bool(boolean value) {
    return tlv(0x01, new byte[] {(byte) (value ? 0xff : 0)});
  }

  static byte[] nul() {
    return new byte[] {0x05, 0x00};
  }

  static byte[] octetString(byte[] value) {
    return tlv(0x04, value);
  }

  /** A BIT STRING of whole bytes, or of {@code unusedBits} fewer bits at the end. */
  static byte[] bitString(int unusedBits, byte[] value) {
    return tlv(0x03, new byte[] {(byte) unusedBits}, value);
  }

  static byte[] utf8(String s) {
    return tlv(0x0c, s.getBytes(StandardCharsets.UTF_8));
  }

  /** An object identifier from its dotted form. */
  static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      long arc = Long.parseLong(arcs[i]);
      int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
      for (int g = groups - 1; g >= 0; g--) {
        out.write((int) ((arc >>> (7 * g)) & 0x7f) | (g > 0 ? 0x80 : 0));
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  /** UTCTime through 2049 and GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
  static byte[] time(Instant t) {
    int year = t.atZone(ZoneOffset.UTC).getYear();
    if (year >= 1950 && year < 2050) {
      return tlv(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }
    return tlv(0x18, GENERALIZED_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
  }
}
