package dev.umbra.tls;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** The server side of ordinary TLS (JDK engine) for inbounds. */
public final class TlsServer {
  private final TlsOptions options;
  private final SSLContext context;

  private TlsServer(TlsOptions options, SSLContext context) {
    this.options = options;
    this.context = context;
  }

  /**
   * Checks the options and loads the certificate and key; {@code path} is the tls object's path.
   */
  public static TlsServer create(TlsOptions options, String path) {
    SSLContext ctx = TlsContexts.server(options, path);
    TlsContexts.checkCipherSuites(options, ctx, path);
    return new TlsServer(options, ctx);
  }

  /**
   * Runs the server handshake over an accepted connection (closed if it fails); the caller bounds
   * it with a read timeout on {@code raw}.
   */
  public TlsConn accept(Conn raw) throws IOException {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters p = engine.getSSLParameters();
    p.setProtocols(TlsVersions.between(options.minVersion(), options.maxVersion()));
    if (options.alpn() != null) {
      p.setApplicationProtocols(options.alpn().toArray(String[]::new));
    }
    if (options.cipherSuites() != null) {
      p.setCipherSuites(options.cipherSuites().toArray(String[]::new));
    }
    engine.setSSLParameters(p);
    try {
      return TlsConn.handshake(raw, engine);
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }
}
