package dev.umbra.tls;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.SocketConn;
import java.io.IOException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

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

  /** Runs the server handshake over an accepted connection. */
  public TlsConn accept(Conn raw) throws IOException {
    if (!(raw instanceof SocketConn sc)) {
      throw new IOException("TLS over this carrier is not supported yet");
    }
    SSLSocket s =
        (SSLSocket)
            context.getSocketFactory().createSocket(sc.socket(), null, sc.socket().getPort(), true);
    s.setUseClientMode(false);
    SSLParameters p = s.getSSLParameters();
    p.setProtocols(TlsVersions.between(options.minVersion(), options.maxVersion()));
    if (options.alpn() != null) {
      p.setApplicationProtocols(options.alpn().toArray(String[]::new));
    }
    if (options.cipherSuites() != null) {
      p.setCipherSuites(options.cipherSuites().toArray(String[]::new));
    }
    s.setSSLParameters(p);
    s.startHandshake();
    return new TlsConn(s);
  }
}
