package dev.umbra.core.route.srs;

/**
 * Reads the primitives of the decompressed {@code .srs} body from a byte array. Every length is
 * checked against the bytes that remain, so hostile counts never cause large allocations.
 */
final class ByteReader {
  private final byte[] data;
  private int pos;

  ByteReader(byte[] data) {
    this.data = data;
  }

  int remaining() {
    return data.length - pos;
  }

  int u8() throws SrsFormatException {
    if (pos >= data.length) {
      throw new SrsFormatException("unexpected end of rule-set data");
    }
    return data[pos++] & 0xff;
  }

  /** Go's binary.ReadUvarint: little-endian base-128, at most 10 bytes, no overflow. */
  long uvarint() throws SrsFormatException {
    long x = 0;
    int shift = 0;
    for (int i = 0; i < 10; i++) {
      int b = u8();
      if (b < 0x80) {
        if (i == 9 && b > 1) {
          throw new SrsFormatException("varint overflows 64 bits");
        }
        return x | ((long) b << shift);
      }
      x |= (long) (b & 0x7f) << shift;
      shift += 7;
    }
    throw new SrsFormatException("varint overflows 64 bits");
  }

  /** A count of elements each at least {@code minBytes} long; bounded by the remaining data. */
  int count(int minBytes) throws SrsFormatException {
    long n = uvarint();
    return checkCount(n, minBytes);
  }

  int checkCount(long n, int minBytes) throws SrsFormatException {
    if (n < 0 || n > remaining() / Math.max(1, minBytes)) {
      throw new SrsFormatException(
          "count " + Long.toUnsignedString(n) + " exceeds the " + remaining() + " bytes left");
    }
    return (int) n;
  }

  long u64() throws SrsFormatException {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | u8();
    }
    return v;
  }

  int u16() throws SrsFormatException {
    return (u8() << 8) | u8();
  }

  byte[] bytes(int n) throws SrsFormatException {
    if (n < 0 || n > remaining()) {
      throw new SrsFormatException("length " + n + " exceeds the " + remaining() + " bytes left");
    }
    byte[] out = new byte[n];
    System.arraycopy(data, pos, out, 0, n);
    pos += n;
    return out;
  }

  /** A uvarint length followed by that many bytes. */
  byte[] lengthPrefixed() throws SrsFormatException {
    return bytes(count(1));
  }
}
