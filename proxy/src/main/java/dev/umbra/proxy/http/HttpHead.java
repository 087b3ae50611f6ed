package dev.umbra.proxy.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The start line and headers of an HTTP/1.x message, read with limits (line length, header count,
 * total size) so a hostile peer cannot make us buffer without bound.
 *
 * @param startLine "GET http://a/ HTTP/1.1" or "HTTP/1.1 200 OK"
 * @param headers in order, names as received
 */
public record HttpHead(String startLine, List<Header> headers) {
  public static final int MAX_LINE = 8 * 1024;
  public static final int MAX_HEADERS = 100;
  public static final int MAX_HEAD = 64 * 1024;

  /** One header field. */
  public record Header(String name, String value) {}

  /** Thrown for malformed or oversized heads. */
  public static final class HttpException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public HttpException(int status, String message) {
      super(message);
      this.status = status;
    }

    /** The status to answer with: 400, 431 or 414. */
    public int status() {
      return status;
    }
  }

  /** Reads a head; returns null on a clean end of stream before any byte. */
  public static HttpHead read(InputStream in) throws IOException {
    int[] total = {0};
    String start = readLine(in, total, true);
    while (start != null && start.isEmpty()) {
      start = readLine(in, total, true); // tolerate stray CRLF between requests (RFC 9112 §2.2)
    }
    if (start == null) {
      return null;
    }
    List<Header> headers = new ArrayList<>();
    while (true) {
      String line = readLine(in, total, false);
      if (line.isEmpty()) {
        break;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        throw new HttpException(400, "obsolete header line folding");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new HttpException(400, "malformed header line");
      }
      String name = line.substring(0, colon);
      if (!name.equals(name.strip())) {
        throw new HttpException(400, "whitespace in header name");
      }
      if (headers.size() >= MAX_HEADERS) {
        throw new HttpException(431, "more than " + MAX_HEADERS + " header fields");
      }
      headers.add(new Header(name, line.substring(colon + 1).strip()));
    }
    return new HttpHead(start, List.copyOf(headers));
  }

  private static String readLine(InputStream in, int[] total, boolean eofAllowed)
      throws IOException {
    StringBuilder b = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (eofAllowed && b.isEmpty()) {
          return null;
        }
        throw new HttpException(400, "unexpected end of stream in message head");
      }
      if (++total[0] > MAX_HEAD) {
        throw new HttpException(431, "message head larger than " + MAX_HEAD + " bytes");
      }
      if (c == '\n') {
        int len = b.length();
        if (len > 0 && b.charAt(len - 1) == '\r') {
          b.setLength(len - 1);
        }
        return b.toString();
      }
      if (b.length() >= MAX_LINE) {
        throw new HttpException(eofAllowed ? 414 : 431, "line longer than " + MAX_LINE + " bytes");
      }
      b.append((char) c);
    }
  }

  /** The first value of a header, case-insensitively, or null. */
  public String header(String name) {
    for (Header h : headers) {
      if (h.name().equalsIgnoreCase(name)) {
        return h.value();
      }
    }
    return null;
  }

  /** True if a comma-separated header (Connection, Transfer-Encoding) contains {@code token}. */
  public boolean hasToken(String name, String token) {
    for (Header h : headers) {
      if (h.name().equalsIgnoreCase(name)) {
        for (String t : h.value().split(",", -1)) {
          if (t.strip().equalsIgnoreCase(token)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Start-line parts split on single spaces (method, target, version / version, status, reason).
   */
  public String[] startParts() {
    return startLine.split(" ", 3);
  }

  /** A copy without hop-by-hop headers (RFC 9110 §7.6.1) and those named in Connection. */
  public List<Header> endToEndHeaders() {
    List<String> named = new ArrayList<>();
    for (Header h : headers) {
      if (h.name().equalsIgnoreCase("Connection")
          || h.name().equalsIgnoreCase("Proxy-Connection")) {
        for (String t : h.value().split(",", -1)) {
          named.add(t.strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    List<Header> out = new ArrayList<>();
    for (Header h : headers) {
      String n = h.name().toLowerCase(Locale.ROOT);
      boolean hop =
          switch (n) {
            case "connection",
                "proxy-connection",
                "keep-alive",
                "proxy-authorization",
                "proxy-authenticate",
                "te",
                "trailer",
                "upgrade" ->
                true;
            default -> named.contains(n) && !n.equals("transfer-encoding");
          };
      if (!hop) {
        out.add(h);
      }
    }
    return out;
  }

  /** Writes a head: start line, headers, blank line. */
  public static void write(OutputStream out, String startLine, List<Header> headers)
      throws IOException {
    StringBuilder b = new StringBuilder(256);
    b.append(startLine).append("\r\n");
    for (Header h : headers) {
      b.append(h.name()).append(": ").append(h.value()).append("\r\n");
    }
    b.append("\r\n");
    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
  }
}
