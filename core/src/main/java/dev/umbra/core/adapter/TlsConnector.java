package dev.umbra.core.adapter;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Client TLS over any {@link Conn}, so that code in {@code core} (remote rule-set downloads) can
 * speak https without depending on the tls module, which provides the implementation through {@link
 * ServiceLoader}.
 */
public interface TlsConnector {

  /**
   * Runs a TLS client handshake over {@code raw} with SNI and certificate verification for {@code
   * serverName} and ALPN {@code http/1.1}; returns the decrypted stream.
   */
  Conn connect(Conn raw, String serverName) throws IOException;

  /** The connector the tls module installs, if it is on the class path. */
  static Optional<TlsConnector> installed() {
    return ServiceLoader.load(TlsConnector.class).findFirst();
  }
}
