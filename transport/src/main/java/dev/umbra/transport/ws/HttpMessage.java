package dev.umbra.transport.ws;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** An HTTP/1.1 request or response head: the start line and headers, bounded in size. */
public record HttpMessage(String startLine, List<String[]> headers) {
  static final int MAX_HEAD = 16 * 1024;

  /** Reads one head byte by byte (nothing past the blank line is consumed). */
  public static HttpMessage read(InputStream in) throws IOException {
    byte[] buf = new byte[MAX_HEAD];
    int n = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed inside an HTTP head");
      }
      if (n == buf.length) {
        throw new ProtocolException("HTTP head longer than " + MAX_HEAD + " bytes");
      }
      buf[n++] = (byte) b;
      if (n >= 4 && buf[n - 1] == '\n' && buf[n - 2] == '\r' && buf[n - 3] == '\n') {
        break;
      }
    }
    String[] lines = new String(buf, 0, n - 4, StandardCharsets.ISO_8859_1).split("\r\n", -1);
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        throw new ProtocolException("malformed HTTP header line");
      }
      headers.add(
          new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
    }
    return new HttpMessage(lines[0], List.copyOf(headers));
  }

  public String header(String name) {
    for (String[] h : headers) {
      if (h[0].equalsIgnoreCase(name)) {
        return h[1];
      }
    }
    return null;
  }

  boolean headerContains(String name, String token) {
    String v = header(name);
    if (v == null) {
      return false;
    }
    for (String part : v.split(",", -1)) {
      if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
        return true;
      }
    }
    return false;
  }

  public void write(OutputStream out) throws IOException {
    StringBuilder b = new StringBuilder(startLine).append("\r\n");
    for (String[] h : headers) {
      b.append(h[0]).append(": ").append(h[1]).append("\r\n");
    }
    b.append("\r\n");
    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }
}
