package dev.umbra.proxy.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Copies HTTP/1.1 message bodies by their framing (Content-Length or chunked). */
final class HttpBody {
  private HttpBody() {}

  /** How a body is delimited. */
  enum Framing {
    NONE,
    LENGTH,
    CHUNKED,
    UNTIL_CLOSE
  }

  static Framing requestFraming(HttpHead head) throws HttpHead.HttpException {
    if (head.header("Transfer-Encoding") != null) {
      if (!head.hasToken("Transfer-Encoding", "chunked")) {
        throw new HttpHead.HttpException(400, "unsupported transfer coding");
      }
      return Framing.CHUNKED;
    }
    return head.header("Content-Length") != null ? Framing.LENGTH : Framing.NONE;
  }

  static Framing responseFraming(HttpHead head, String requestMethod)
      throws HttpHead.HttpException {
    String[] parts = head.startParts();
    int status = parts.length > 1 ? parseStatus(parts[1]) : 0;
    if (requestMethod.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
      return Framing.NONE;
    }
    if (head.header("Transfer-Encoding") != null) {
      return head.hasToken("Transfer-Encoding", "chunked") ? Framing.CHUNKED : Framing.UNTIL_CLOSE;
    }
    return head.header("Content-Length") != null ? Framing.LENGTH : Framing.UNTIL_CLOSE;
  }

  static int parseStatus(String s) throws HttpHead.HttpException {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new HttpHead.HttpException(502, "malformed status code");
    }
  }

  static long contentLength(HttpHead head) throws HttpHead.HttpException {
    String v = head.header("Content-Length");
    try {
      long n = Long.parseLong(v.strip());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new HttpHead.HttpException(400, "invalid Content-Length");
    }
  }

  /** Copies the body; returns false if the stream ended early. */
  static void copy(Framing framing, HttpHead head, InputStream in, OutputStream out, byte[] buf)
      throws IOException {
    switch (framing) {
      case NONE -> {}
      case LENGTH -> copyExactly(in, out, contentLength(head), buf);
      case CHUNKED -> copyChunked(in, out, buf);
      case UNTIL_CLOSE -> {
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
        }
      }
    }
    out.flush();
  }

  private static void copyExactly(InputStream in, OutputStream out, long n, byte[] buf)
      throws IOException {
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new IOException("body ended early");
      }
      out.write(buf, 0, r);
      n -= r;
    }
  }

  private static void copyChunked(InputStream in, OutputStream out, byte[] buf) throws IOException {
    while (true) {
      String sizeLine = line(in);
      out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      int semi = sizeLine.indexOf(';');
      String hex = (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip();
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new HttpHead.HttpException(400, "invalid chunk size");
      }
      if (size < 0) {
        throw new HttpHead.HttpException(400, "invalid chunk size");
      }
      if (size == 0) {
        // trailer section, ends with an empty line
        while (true) {
          String t = line(in);
          out.write((t + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          if (t.isEmpty()) {
            return;
          }
        }
      }
      copyExactly(in, out, size, buf);
      String end = line(in);
      if (!end.isEmpty()) {
        throw new HttpHead.HttpException(400, "missing CRLF after chunk");
      }
      out.write('\r');
      out.write('\n');
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("body ended early");
      }
      if (c == '\n') {
        int len = b.length();
        if (len > 0 && b.charAt(len - 1) == '\r') {
          b.setLength(len - 1);
        }
        return b.toString();
      }
      if (b.length() > HttpHead.MAX_LINE) {
        throw new HttpHead.HttpException(400, "chunk line too long");
      }
      b.append((char) c);
    }
  }
}
