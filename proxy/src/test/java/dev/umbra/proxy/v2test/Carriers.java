package dev.umbra.proxy.v2test;

import dev.umbra.testkit.TestCerts;

/**
 * The carriers an interop case runs over, as v2ray {@code streamSettings} and as Umbra's {@code
 * tls}/{@code transport} fields: plain tcp, tcp+TLS, ws, ws+TLS, httpupgrade-less.
 */
public enum Carriers {
  TCP(false, null),
  TLS(true, null),
  WS(false, "/v2ws"),
  WS_TLS(true, "/v2ws");

  private final boolean tls;
  private final String wsPath;

  Carriers(boolean tls, String wsPath) {
    this.tls = tls;
    this.wsPath = wsPath;
  }

  /** The v2ray streamSettings object. */
  public String v2ray(TestCerts certs, boolean server) {
    StringBuilder b = new StringBuilder("{");
    b.append(
        wsPath == null
            ? "\"network\": \"tcp\""
            : "\"network\": \"ws\", \"wsSettings\": {\"path\": \"" + wsPath + "\"}");
    if (tls) {
      b.append(", \"security\": \"tls\", \"tlsSettings\": ");
      b.append(
          server
              ? "{\"certificates\": [{\"certificateFile\": \"%s\", \"keyFile\": \"%s\"}]}"
                  .formatted(certs.certificate(), certs.key())
              : "{\"serverName\": \"localhost\", \"allowInsecure\": true}");
    }
    return b.append('}').toString();
  }

  /** Umbra's fields (with a leading comma), for an inbound or an outbound. */
  public String umbra(TestCerts certs, boolean server) {
    StringBuilder b = new StringBuilder();
    if (tls) {
      b.append(
          server
              ? ", \"tls\": {\"enabled\": true, \"certificate_path\": \"%s\", \"key_path\": \"%s\"}"
                  .formatted(certs.certificate(), certs.key())
              : ", \"tls\": {\"enabled\": true, \"server_name\": \"localhost\", \"certificate_path\": \"%s\"}"
                  .formatted(certs.certificate()));
    }
    if (wsPath != null) {
      b.append(", \"transport\": {\"type\": \"ws\", \"path\": \"%s\"}".formatted(wsPath));
    }
    return b.toString();
  }
}
