package dev.umbra.tls;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** The client side of ordinary TLS (JDK engine) for outbounds. */
public final class TlsClient {
  // An outbound's carrier has no read timeout of its own; a silent server must not hang a dial.
  static final int HANDSHAKE_TIMEOUT_MILLIS = 15_000;
  private final TlsOptions options;
  private final SSLContext context;

  private TlsClient(TlsOptions options, SSLContext context) {
    this.options = options;
    this.context = context;
  }

  /**
   * The certificate check these options ask for (CA from {@code certificate}/{@code
   * certificate_path}, {@code insecure}, {@code certificate_public_key_sha256}), for TLS stacks
   * other than JSSE (QUIC).
   */
  public static javax.net.ssl.X509TrustManager trustManager(TlsOptions options, String path) {
    return TlsContexts.trust(options, path);
  }

  /** Checks the options and builds the context; {@code path} is the tls object's JSON path. */
  public static TlsClient create(TlsOptions options, String path) {
    String serverField =
        options.key() != null
            ? "key"
            : options.keyPath() != null
                ? "key_path"
                : options.clientAuthentication() != null
                    ? "client_authentication"
                    : options.clientCertificatePublicKeySha256() != null
                        ? "client_certificate_public_key_sha256"
                        : null;
    if (serverField != null) {
      throw new ConfigException(
          path + "." + serverField,
          "unknown field: '"
              + serverField
              + "' is an inbound (server) TLS field; a client certificate goes in"
              + " client_certificate and client_key");
    }
    SSLContext ctx = TlsContexts.client(options, path);
    TlsParameters.check(options, ctx, path);
    return new TlsClient(options, ctx);
  }

  /**
   * Runs the handshake over {@code raw} (closed if it fails); {@code defaultServerName} is used
   * when server_name is unset.
   */
  public TlsConn wrap(Conn raw, String defaultServerName) throws IOException {
    String name = options.serverName() != null ? options.serverName() : defaultServerName;
    int port = raw.remoteAddress() instanceof java.net.InetSocketAddress a ? a.getPort() : -1;
    SSLEngine engine = context.createSSLEngine(name, port);
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    TlsParameters.apply(options, context, p);
    if (Boolean.TRUE.equals(options.disableSni()) || name == null || isIpLiteral(name)) {
      p.setServerNames(List.of());
    } else {
      p.setServerNames(List.of(new SNIHostName(name)));
    }
    if (!Boolean.TRUE.equals(options.insecure())
        && options.certificatePublicKeySha256() == null
        && name != null) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    engine.setSSLParameters(p);
    try {
      raw.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
      TlsConn c = TlsConn.handshake(raw, engine);
      raw.setReadTimeout(0);
      return c;
    } catch (IOException e) {
      raw.close();
      throw new IOException("TLS handshake with " + name + " failed: " + e.getMessage(), e);
    }
  }

  private static boolean isIpLiteral(String host) {
    return dev.umbra.core.net.Destination.IpLiterals.parse(host) != null;
  }
}
