package dev.umbra.tls;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.net.Conn;
import java.io.IOException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** The server side of ordinary TLS (JDK engine) for inbounds. */
public final class TlsServer {
  private final TlsOptions options;
  private final SSLContext context;
  private final ClientAuth clientAuth;

  private TlsServer(TlsOptions options, SSLContext context, ClientAuth clientAuth) {
    this.options = options;
    this.context = context;
    this.clientAuth = clientAuth;
  }

  /**
   * Checks the options and loads the certificate and key; {@code path} is the tls object's path.
   */
  public static TlsServer create(TlsOptions options, String path) {
    rejectClientFields(options, path);
    ClientAuth auth = ClientAuth.of(options, path);
    SSLContext ctx = TlsContexts.server(options, path, auth);
    TlsParameters.check(options, ctx, path);
    return new TlsServer(options, ctx, auth);
  }

  /** Fields of sing-box's outbound TLS object, which its inbound object does not have. */
  private static void rejectClientFields(TlsOptions o, String path) {
    String field =
        o.disableSni() != null
            ? "disable_sni"
            : o.certificatePublicKeySha256() != null
                ? "certificate_public_key_sha256"
                : o.clientKey() != null
                    ? "client_key"
                    : o.clientKeyPath() != null ? "client_key_path" : null;
    if (field != null) {
      throw new ConfigException(
          path + "." + field, "unknown field: '" + field + "' is an outbound (client) TLS field");
    }
  }

  /**
   * Runs the server handshake over an accepted connection (closed if it fails); the caller bounds
   * it with a read timeout on {@code raw}.
   */
  public TlsConn accept(Conn raw) throws IOException {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters p = engine.getSSLParameters();
    TlsParameters.apply(options, context, p);
    clientAuth.apply(p);
    engine.setSSLParameters(p);
    try {
      return TlsConn.handshake(raw, engine);
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }
}
