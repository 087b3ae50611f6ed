package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** HTTP/1.x: a request line with a known method, and the Host header (port stripped). */
public final class HttpSniffer implements Sniffer {
  private static final Set<String> METHODS =
      Set.of("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PRI");
  private static final int MAX_HEAD = 8 * 1024;

  @Override
  public String name() {
    return "http";
  }

  @Override
  public Network network() {
    return Network.TCP;
  }

  @Override
  public SniffOutcome sniff(ByteBuffer data) {
    ByteBuffer b = data.duplicate();
    int n = Math.min(b.remaining(), MAX_HEAD);
    byte[] bytes = new byte[n];
    b.get(bytes);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int space = text.indexOf(' ');
    if (space < 0) {
      // still reading the method: a prefix of a method keeps us waiting
      for (String m : METHODS) {
        if (m.startsWith(text)) {
          return SniffOutcome.NEED_MORE;
        }
      }
      return SniffOutcome.NO_MATCH;
    }
    if (!METHODS.contains(text.substring(0, space))) {
      return SniffOutcome.NO_MATCH;
    }
    int lineEnd = text.indexOf("\r\n");
    if (lineEnd < 0) {
      return n >= MAX_HEAD ? SniffOutcome.NO_MATCH : SniffOutcome.NEED_MORE;
    }
    String requestLine = text.substring(0, lineEnd);
    if (!requestLine.matches("[A-Z]+ \\S+ HTTP/1\\.[01]")) {
      return SniffOutcome.NO_MATCH;
    }
    int pos = lineEnd + 2;
    while (true) {
      int end = text.indexOf("\r\n", pos);
      if (end < 0) {
        return n >= MAX_HEAD ? SniffOutcome.NO_MATCH : SniffOutcome.NEED_MORE;
      }
      if (end == pos) {
        return new SniffOutcome.Match(new SniffResult("http", null, null)); // no Host header
      }
      String line = text.substring(pos, end);
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("host")) {
        String host = stripPort(line.substring(colon + 1).strip()).toLowerCase(Locale.ROOT);
        return new SniffOutcome.Match(
            new SniffResult("http", TlsSniffer.validHost(host) ? host : null, null));
      }
      pos = end + 2;
    }
  }

  static String stripPort(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close > 0 ? host.substring(1, close) : host;
    }
    int colon = host.lastIndexOf(':');
    return colon > 0 && host.indexOf(':') == colon ? host.substring(0, colon) : host;
  }
}
