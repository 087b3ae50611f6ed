package dev.umbra.transport.h2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Tells an HTTP/2 client preface from anything else by reading only while the bytes match it. */
public final class H2Preface {
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private H2Preface() {}

  /** The bytes read: the whole preface, or a prefix of it plus the first byte that differs. */
  public static byte[] sniff(InputStream in) throws IOException {
    byte[] seen = new byte[PREFACE.length];
    int n = 0;
    while (n < PREFACE.length) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      seen[n++] = (byte) b;
      if (b != (PREFACE[n - 1] & 0xff)) {
        break;
      }
    }
    return Arrays.copyOf(seen, n);
  }

  public static boolean isComplete(byte[] seen) {
    return Arrays.equals(seen, PREFACE);
  }
}
