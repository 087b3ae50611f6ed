package dev.umbra.core.route.rule;

/** A port range as sing-box writes it: {@code "1000:2000"}, {@code ":3000"}, {@code "4000:"}. */
public record PortRange(int from, int to) {

  public static PortRange parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0 || text.indexOf(':', colon + 1) >= 0) {
      throw new IllegalArgumentException(
          "invalid port range '" + text + "' (expected \"from:to\")");
    }
    try {
      int from = colon == 0 ? 0 : Integer.parseInt(text.substring(0, colon));
      int to = colon == text.length() - 1 ? 65535 : Integer.parseInt(text.substring(colon + 1));
      if (from < 0 || to > 65535 || from > to) {
        throw new IllegalArgumentException("invalid port range '" + text + "'");
      }
      return new PortRange(from, to);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port range '" + text + "'", e);
    }
  }

  public boolean contains(int port) {
    return port >= from && port <= to;
  }
}
