package dev.umbra.core.route.srs;

import java.io.ByteArrayOutputStream;

/** Writes the primitives of the {@code .srs} body. */
final class ByteWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  void u8(int b) {
    out.write(b);
  }

  void uvarint(long v) {
    long x = v;
    while (Long.compareUnsigned(x, 0x80) >= 0) {
      out.write((int) (x & 0x7f) | 0x80);
      x >>>= 7;
    }
    out.write((int) x);
  }

  void u16(int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  void u64(long v) {
    for (int i = 56; i >= 0; i -= 8) {
      out.write((int) (v >>> i));
    }
  }

  void bytes(byte[] b) {
    out.write(b, 0, b.length);
  }

  void lengthPrefixed(byte[] b) {
    uvarint(b.length);
    bytes(b);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
