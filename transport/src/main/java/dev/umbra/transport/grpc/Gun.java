package dev.umbra.transport.grpc;

/**
 * The "gun" message format (v2ray/Xray/sing-box gRPC transport): each gRPC message is the 5-byte
 * gRPC prefix (flag 0 = uncompressed, 32-bit big-endian length) around a protobuf {@code Hunk}
 * whose field 1 ({@code bytes data}, tag 0x0A) holds the payload: {@code 00 | len(u32) | 0A |
 * varint(n) | n bytes}.
 */
public final class Gun {
  /** gRPC's default maximum received message size; longer messages are refused. */
  public static final int MAX_MESSAGE = 4 * 1024 * 1024;

  /** The largest payload one message carries when we write. */
  public static final int MAX_CHUNK = 64 * 1024;

  /** Prefix, tag and the longest varint a chunk needs. */
  public static final int MAX_HEADER = 5 + 1 + 5;

  private Gun() {}

  static int varintLength(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  /** Writes the header for an {@code n}-byte payload at {@code out[0..]}; returns its length. */
  public static int header(byte[] out, int n) {
    int v = varintLength(n);
    int body = 1 + v + n;
    out[0] = 0;
    out[1] = (byte) (body >>> 24);
    out[2] = (byte) (body >>> 16);
    out[3] = (byte) (body >>> 8);
    out[4] = (byte) body;
    out[5] = 0x0A;
    int i = 6;
    long x = n;
    while ((x & ~0x7FL) != 0) {
      out[i++] = (byte) ((x & 0x7F) | 0x80);
      x >>>= 7;
    }
    out[i++] = (byte) x;
    return i;
  }

  /** One whole message for {@code payload} (tests and small writes). */
  public static byte[] encode(byte[] payload, int off, int len) {
    byte[] m = new byte[MAX_HEADER + len];
    int h = header(m, len);
    System.arraycopy(payload, off, m, h, len);
    return java.util.Arrays.copyOf(m, h + len);
  }
}
