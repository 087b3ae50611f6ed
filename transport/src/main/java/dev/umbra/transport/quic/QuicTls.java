package dev.umbra.transport.quic;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.tls.TlsOptions;

/** The {@code tls} fields both sides of the quic transport refuse alike. */
final class QuicTls {
  private QuicTls() {}

  /** QUIC runs TLS 1.3 only, with kwik's own cipher suites. */
  static void checkVersionsAndSuites(TlsOptions tls, String path) {
    for (String[] f :
        new String[][] {
          {"min_version", tls.minVersion()},
          {"max_version", tls.maxVersion()},
        }) {
      if (f[1] != null && !f[1].equals("1.3")) {
        throw new ConfigException(
            JsonPaths.field(path, f[0]), "QUIC always runs TLS 1.3; got '" + f[1] + "'");
      }
    }
    if (tls.cipherSuites() != null) {
      throw new ConfigException(
          JsonPaths.field(path, "cipher_suites"),
          "cipher_suites is not supported with the quic transport yet");
    }
  }
}
