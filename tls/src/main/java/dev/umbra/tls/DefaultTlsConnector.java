package dev.umbra.tls;

import dev.umbra.core.adapter.TlsConnector;
import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.util.List;

/** The {@link TlsConnector} core finds through ServiceLoader: ALPN http/1.1, verified peers. */
public final class DefaultTlsConnector implements TlsConnector {
  private final List<String> trusted;

  /** Verifies against the system trust store. */
  public DefaultTlsConnector() {
    this(null);
  }

  /** Verifies against these certificates (PEM lines) instead of the system trust store. */
  public DefaultTlsConnector(List<String> trustedPem) {
    this.trusted = trustedPem;
  }

  @Override
  public Conn connect(Conn raw, String serverName) throws IOException {
    return TlsClient.create(TlsOptions.httpClient(serverName, trusted), "tls")
        .wrap(raw, serverName);
  }
}
