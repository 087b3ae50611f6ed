package dev.umbra.dns.transport;

import dev.umbra.core.net.Conn;
import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsLimits;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.Message;

/**
 * DNS over HTTPS (RFC 8484): over HTTP/2 when the server's ALPN picks h2 (one connection per
 * query), else HTTP/1.1 with keep-alive. POST carries the message as the body, GET
 * base64url-encoded in {@code ?dns=}. The query ID is 0 as the RFC recommends.
 */
public final class HttpsTransport implements DnsTransport {
  static final int MAX_HEADER_BYTES = 16 * 1024;
  private final String tag;
  private final String host;
  private final String path;
  private final boolean get;
  private final Map<String, String> headers;
  private final Duration timeout;
  private final ConnPool pool;
  private final ConnPool.Opener opener;

  public HttpsTransport(
      String tag,
      String host,
      String path,
      boolean get,
      Map<String, String> headers,
      ConnPool.Opener opener,
      Duration timeout) {
    this.tag = tag;
    this.host = host;
    this.path = path;
    this.get = get;
    this.headers = headers == null ? Map.of() : headers;
    this.timeout = timeout;
    this.pool = new ConnPool(opener);
    this.opener = opener;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String type() {
    return "https";
  }

  byte[] request(byte[] wire) {
    StringBuilder sb = new StringBuilder();
    if (get) {
      String q = Base64.getUrlEncoder().withoutPadding().encodeToString(wire);
      sb.append("GET ")
          .append(path)
          .append(path.contains("?") ? "&" : "?")
          .append("dns=")
          .append(q);
    } else {
      sb.append("POST ").append(path);
    }
    sb.append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
    sb.append("Accept: application/dns-message\r\n");
    for (var h : headers.entrySet()) {
      sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    if (!get) {
      sb.append("Content-Type: application/dns-message\r\n");
      sb.append("Content-Length: ").append(wire.length).append("\r\n");
    }
    sb.append("\r\n");
    byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (get) {
      return head;
    }
    byte[] out = new byte[head.length + wire.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(wire, 0, out, head.length, wire.length);
    return out;
  }

  @Override
  public Message exchange(Message query) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Message sent = query.clone();
    sent.getHeader().setID(0);
    byte[] wire = sent.toWire();
    Conn reused = pool.take();
    if (reused != null) {
      try {
        return http1(reused, wire, sent, query, deadline);
      } catch (java.net.SocketTimeoutException e) {
        throw e;
      } catch (IOException e) {
        // the server may have closed an idle keep-alive connection: one fresh try
      }
    }
    Conn c = opener.open();
    if (c instanceof dev.umbra.tls.TlsConn t && "h2".equals(t.applicationProtocol())) {
      try (c) {
        c.out().write(Http2Exchange.request(host, getPath(wire), get, wire));
        c.out().flush();
        c.setReadTimeout(Exchanges.remainingMillis(deadline));
        Http2Exchange.Response r = Http2Exchange.read(c.in(), c.out());
        if (r.status() != 200) {
          throw new ProtocolException(
              "DoH server "
                  + host
                  + " answered HTTP/2 status "
                  + (r.status() < 0 ? "(not 200)" : r.status()));
        }
        return Exchanges.accept(sent, query, DnsCodec.parse(r.body(), DnsLimits.DEFAULT), host);
      }
    }
    return http1(c, wire, sent, query, deadline);
  }

  private String getPath(byte[] wire) {
    if (!get) {
      return path;
    }
    return path
        + (path.contains("?") ? "&" : "?")
        + "dns="
        + Base64.getUrlEncoder().withoutPadding().encodeToString(wire);
  }

  private Message http1(Conn c, byte[] wire, Message sent, Message query, long deadline)
      throws IOException {
    try {
      c.out().write(request(wire));
      c.out().flush();
      c.setReadTimeout(Exchanges.remainingMillis(deadline));
      HttpResponse r = HttpResponse.read(c.in());
      c.setReadTimeout(0);
      if (r.status() != 200) {
        throw new ProtocolException("DoH server " + host + " answered HTTP " + r.status());
      }
      if (r.contentType() == null
          || !r.contentType().toLowerCase(Locale.ROOT).startsWith("application/dns-message")) {
        throw new ProtocolException("DoH server " + host + " sent content-type " + r.contentType());
      }
      Message m = Exchanges.accept(sent, query, DnsCodec.parse(r.body(), DnsLimits.DEFAULT), host);
      pool.give(c, r.keepAlive());
      return m;
    } catch (IOException | RuntimeException e) {
      Exchanges.closeQuietly(c);
      throw e;
    }
  }

  @Override
  public void close() {
    pool.close();
  }

  /** The parts of an HTTP/1.1 response a DoH client needs; sizes bounded. */
  record HttpResponse(int status, String contentType, boolean keepAlive, byte[] body) {
    static HttpResponse read(InputStream in) throws IOException {
      String status = line(in);
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new ProtocolException("not an HTTP/1.x response: " + status);
      }
      int code;
      try {
        code = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new ProtocolException("bad HTTP status line: " + status);
      }
      boolean keepAlive = parts[0].equals("HTTP/1.1");
      String contentType = null;
      long length = -1;
      boolean chunked = false;
      int headerBytes = 0;
      while (true) {
        String h = line(in);
        headerBytes += h.length();
        if (headerBytes > MAX_HEADER_BYTES) {
          throw new ProtocolException("HTTP headers too long");
        }
        if (h.isEmpty()) {
          break;
        }
        int colon = h.indexOf(':');
        if (colon <= 0) {
          throw new ProtocolException("bad HTTP header line");
        }
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        switch (name) {
          case "content-type" -> contentType = value;
          case "content-length" -> {
            try {
              length = Long.parseLong(value);
            } catch (NumberFormatException e) {
              throw new ProtocolException("bad content-length");
            }
          }
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "connection" -> {
            String v = value.toLowerCase(Locale.ROOT);
            if (v.contains("close")) {
              keepAlive = false;
            } else if (v.contains("keep-alive")) {
              keepAlive = true;
            }
          }
          default -> {}
        }
      }
      byte[] body;
      if (chunked) {
        body = chunked(in);
      } else if (length >= 0) {
        if (length > 65_535) {
          throw new ProtocolException("DoH body of " + length + " bytes is too large");
        }
        body = in.readNBytes((int) length);
        if (body.length < length) {
          throw new EOFException("DoH body cut short");
        }
      } else {
        body = in.readNBytes(65_536);
        keepAlive = false;
        if (body.length > 65_535) {
          throw new ProtocolException("DoH body too large");
        }
      }
      return new HttpResponse(code, contentType, keepAlive, body);
    }

    private static byte[] chunked(InputStream in) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (true) {
        String size = line(in);
        int semi = size.indexOf(';');
        int n;
        try {
          n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
        } catch (NumberFormatException e) {
          throw new ProtocolException("bad chunk size");
        }
        if (n < 0 || out.size() + n > 65_535) {
          throw new ProtocolException("DoH body too large");
        }
        if (n == 0) {
          while (!line(in).isEmpty()) {
            // trailers are ignored
          }
          return out.toByteArray();
        }
        byte[] chunk = in.readNBytes(n);
        if (chunk.length < n) {
          throw new EOFException("DoH chunk cut short");
        }
        out.write(chunk);
        line(in);
      }
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder sb = new StringBuilder();
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException("DoH server closed the connection");
        }
        if (b == '\n') {
          int len = sb.length();
          if (len > 0 && sb.charAt(len - 1) == '\r') {
            sb.setLength(len - 1);
          }
          return sb.toString();
        }
        if (sb.length() > MAX_HEADER_BYTES) {
          throw new ProtocolException("HTTP line too long");
        }
        sb.append((char) b);
      }
    }
  }
}
