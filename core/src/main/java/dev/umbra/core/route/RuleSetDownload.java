package dev.umbra.core.route;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.TlsConnector;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One HTTP/1.1 GET of a rule-set URL through an outbound (https via the installed {@link
 * TlsConnector}), following redirects, with limits on header and body sizes and a read timeout.
 */
final class RuleSetDownload {
  static final int MAX_BODY = 64 << 20;
  private static final int MAX_HEADER_BYTES = 64 << 10;
  private static final int MAX_REDIRECTS = 5;

  /** The outcome: new content with its ETag, or "not modified". */
  // The content array is handed over, never shared further.
  @SuppressWarnings("ArrayRecordComponent")
  record Result(boolean notModified, byte[] content, String etag) {}

  private RuleSetDownload() {}

  static Result get(
      URI url, String etag, Outbound outbound, Optional<TlsConnector> tls, Duration timeout)
      throws IOException {
    URI current = url;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      Response r = once(current, etag, outbound, tls, timeout);
      if (r.location == null) {
        return r.result;
      }
      current = current.resolve(r.location);
      check(current);
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + url);
  }

  /** Throws if {@code u} is not an absolute http(s) URL with a host. */
  static void check(URI u) throws IOException {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if ((!scheme.equals("http") && !scheme.equals("https")) || u.getHost() == null) {
      throw new IOException("expected an http:// or https:// URL, got '" + u + "'");
    }
  }

  private record Response(Result result, String location) {}

  private static Response once(
      URI url, String etag, Outbound outbound, Optional<TlsConnector> tls, Duration timeout)
      throws IOException {
    boolean https = url.getScheme().equalsIgnoreCase("https");
    int port = url.getPort() >= 0 ? url.getPort() : https ? 443 : 80;
    String host = url.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    Conn conn = outbound.dial(Metadata.internal(Network.TCP, Destination.of(host, port)));
    try {
      if (https) {
        TlsConnector connector =
            tls.orElseThrow(() -> new IOException("https needs the tls module on the class path"));
        conn = connector.connect(conn, host);
      }
      conn.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      if (url.getRawQuery() != null) {
        path += "?" + url.getRawQuery();
      }
      String authority = url.getRawAuthority();
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        authority = authority.substring(at + 1);
      }
      StringBuilder req =
          new StringBuilder()
              .append("GET ")
              .append(path)
              .append(" HTTP/1.1\r\nHost: ")
              .append(authority)
              .append("\r\nUser-Agent: umbra\r\nAccept: */*\r\nAccept-Encoding: identity\r\n")
              .append("Connection: close\r\n");
      if (etag != null) {
        req.append("If-None-Match: ").append(etag).append("\r\n");
      }
      req.append("\r\n");
      conn.out().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      conn.out().flush();
      InputStream in = conn.in();
      Head head = readHead(in);
      int status = head.status;
      if (status == 304) {
        return new Response(new Result(true, null, etag), null);
      }
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        if (head.location == null) {
          throw new IOException("redirect " + status + " without a Location");
        }
        return new Response(null, head.location);
      }
      if (status != 200) {
        throw new IOException("unexpected status: " + head.statusLine);
      }
      if (head.contentEncoding != null && !head.contentEncoding.equalsIgnoreCase("identity")) {
        throw new IOException("unexpected Content-Encoding " + head.contentEncoding);
      }
      byte[] body;
      if (head.chunked) {
        body = readChunked(in);
      } else if (head.contentLength >= 0) {
        if (head.contentLength > MAX_BODY) {
          throw new IOException("rule-set larger than " + MAX_BODY + " bytes");
        }
        body = in.readNBytes((int) head.contentLength);
        if (body.length != head.contentLength) {
          throw new IOException(
              "connection closed after " + body.length + " of " + head.contentLength + " bytes");
        }
      } else {
        body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
          throw new IOException("rule-set larger than " + MAX_BODY + " bytes");
        }
      }
      return new Response(new Result(false, body, head.etag), null);
    } finally {
      conn.close();
    }
  }

  private static final class Head {
    int status;
    String statusLine;
    long contentLength = -1;
    boolean chunked;
    String etag;
    String location;
    String contentEncoding;
  }

  private static Head readHead(InputStream in) throws IOException {
    int[] budget = {MAX_HEADER_BYTES};
    Head h = new Head();
    h.statusLine = line(in, budget);
    if (!h.statusLine.startsWith("HTTP/1.") || h.statusLine.length() < 12) {
      throw new IOException("not an HTTP response: '" + h.statusLine + "'");
    }
    try {
      h.status = Integer.parseInt(h.statusLine.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("bad status line '" + h.statusLine + "'", e);
    }
    while (true) {
      String l = line(in, budget);
      if (l.isEmpty()) {
        return h;
      }
      int colon = l.indexOf(':');
      if (colon <= 0) {
        throw new IOException("bad header line");
      }
      String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = l.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> {
          try {
            h.contentLength = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length '" + value + "'", e);
          }
          if (h.contentLength < 0) {
            throw new IOException("bad Content-Length '" + value + "'");
          }
        }
        case "transfer-encoding" -> h.chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "etag" -> h.etag = value;
        case "location" -> h.location = value;
        case "content-encoding" -> h.contentEncoding = value;
        default -> {
          // other headers do not matter here
        }
      }
    }
  }

  private static String line(InputStream in, int[] budget) throws IOException {
    StringBuilder b = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed in the response header");
      }
      if (--budget[0] < 0) {
        throw new IOException("response header larger than " + MAX_HEADER_BYTES + " bytes");
      }
      if (c == '\n') {
        int n = b.length();
        if (n > 0 && b.charAt(n - 1) == '\r') {
          b.setLength(n - 1);
        }
        return b.toString();
      }
      b.append((char) c);
    }
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int[] trailers = {MAX_HEADER_BYTES};
    while (true) {
      String sizeLine = line(in, new int[] {1024});
      int semi = sizeLine.indexOf(';');
      String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size '" + hex + "'", e);
      }
      if (size < 0 || out.size() + size > MAX_BODY) {
        throw new IOException("rule-set larger than " + MAX_BODY + " bytes");
      }
      if (size == 0) {
        // trailers, then the blank line
        while (!line(in, trailers).isEmpty()) {
          // skip
        }
        return out.toByteArray();
      }
      byte[] chunk = in.readNBytes((int) size);
      if (chunk.length != size) {
        throw new IOException("connection closed inside a chunk");
      }
      out.write(chunk);
      if (!line(in, new int[] {2}).isEmpty()) {
        throw new IOException("missing CRLF after a chunk");
      }
    }
  }
}
