package dev.umbra.tls;

import dev.umbra.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/** The handshake parameters client and server share: versions, ALPN, cipher suites, curves. */
final class TlsParameters {
  private TlsParameters() {}

  static void apply(TlsOptions o, SSLContext ctx, SSLParameters p) {
    p.setProtocols(TlsVersions.between(o.minVersion(), o.maxVersion()));
    if (o.alpn() != null) {
      p.setApplicationProtocols(o.alpn().toArray(String[]::new));
    }
    p.setCipherSuites(
        aes128First(
            o.cipherSuites() != null
                ? cipherSuites(o.cipherSuites(), ctx)
                : ctx.getDefaultSSLParameters().getCipherSuites()));
    if (o.curvePreferences() != null) {
      p.setNamedGroups(
          o.curvePreferences().stream().map(TlsParameters::namedGroup).toArray(String[]::new));
    }
  }

  /**
   * As in Go (and so sing-box), the list chooses among the TLS 1.0–1.2 suites only: TLS 1.3's
   * suites stay enabled whatever it says, so a 1.2-only list never turns TLS 1.3 off.
   */
  private static String[] cipherSuites(List<String> configured, SSLContext ctx) {
    List<String> out = new ArrayList<>();
    for (String s : configured) {
      if (!isTls13(s)) {
        out.add(s);
      }
    }
    for (String s : ctx.getDefaultSSLParameters().getCipherSuites()) {
      if (isTls13(s)) {
        out.add(s);
      }
    }
    return out.toArray(String[]::new);
  }

  /**
   * Go's order among the JDK's suites: each AES-128-GCM suite ahead of its AES-256-GCM twin. A JDK
   * server picks by its own order, which lists AES-256 first, so against Go clients (which prefer
   * AES-128) it chose AES-256-GCM where a Go server (sing-box, v2ray) chooses AES-128-GCM: four
   * more AES rounds per block, about a tenth more CPU per byte of TLS record decryption.
   */
  static String[] aes128First(String[] suites) {
    List<String> out = new ArrayList<>(List.of(suites));
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).contains("_AES_256_GCM_SHA384")) {
        int twin = out.indexOf(out.get(i).replace("_AES_256_GCM_SHA384", "_AES_128_GCM_SHA256"));
        if (twin > i) {
          out.add(i, out.remove(twin));
        }
      }
    }
    return out.toArray(String[]::new);
  }

  private static boolean isTls13(String suite) {
    return suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_");
  }

  /** The JDK's name for a sing-box curve name, or null when the JDK lacks it. */
  private static String namedGroup(String curve) {
    return switch (curve.toUpperCase(Locale.ROOT)) {
      case "P256" -> "secp256r1";
      case "P384" -> "secp384r1";
      case "P521" -> "secp521r1";
      case "X25519" -> "x25519";
      default -> null;
    };
  }

  /** Unknown cipher suites and curves are config errors, not handshake-time surprises. */
  static void check(TlsOptions o, SSLContext ctx, String path) {
    if (o.cipherSuites() != null) {
      List<String> supported = List.of(ctx.getSupportedSSLParameters().getCipherSuites());
      for (int i = 0; i < o.cipherSuites().size(); i++) {
        if (!supported.contains(o.cipherSuites().get(i))) {
          throw new ConfigException(
              path + ".cipher_suites[" + i + "]",
              "unknown or unsupported cipher suite '" + o.cipherSuites().get(i) + "'");
        }
      }
    }
    if (o.curvePreferences() != null) {
      for (int i = 0; i < o.curvePreferences().size(); i++) {
        String curve = o.curvePreferences().get(i);
        if (namedGroup(curve) == null) {
          throw new ConfigException(
              path + ".curve_preferences[" + i + "]",
              curve.equalsIgnoreCase("X25519MLKEM768")
                  ? "X25519MLKEM768 is not supported yet (the JDK has no hybrid key exchange for TLS)"
                  : "expected P256, P384, P521 or X25519, got '" + curve + "'");
        }
      }
    }
  }
}
