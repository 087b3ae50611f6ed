package dev.umbra.tls;

import java.util.ArrayList;
import java.util.List;

/** sing-box's TLS version names ("1.2") and the JDK's protocol names ("TLSv1.2"). */
final class TlsVersions {
  private static final List<String> ALL = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  private TlsVersions() {}

  static String protocol(String version) {
    return switch (version) {
      case "1.0" -> "TLSv1";
      case "1.1" -> "TLSv1.1";
      case "1.2" -> "TLSv1.2";
      case "1.3" -> "TLSv1.3";
      default -> null;
    };
  }

  /** The enabled protocols between min and max (defaults: 1.2 to 1.3, as sing-box). */
  static String[] between(String min, String max) {
    int lo = ALL.indexOf(protocol(min == null ? "1.2" : min));
    int hi = ALL.indexOf(protocol(max == null ? "1.3" : max));
    List<String> out = new ArrayList<>(ALL.subList(Math.min(lo, hi), Math.max(lo, hi) + 1));
    return out.toArray(String[]::new);
  }
}
