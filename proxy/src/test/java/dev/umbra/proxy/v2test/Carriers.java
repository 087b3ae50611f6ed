package dev.umbra.proxy.v2test;

import dev.umbra.testkit.TestCerts;

/**
 * The carriers an interop case runs over, as v2ray {@code streamSettings} and as Umbra's {@code
 * tls}/{@code transport} fields: plain tcp, tcp+TLS, ws, ws+TLS, h2+TLS (v2ray's {@code http}
 * network; its server refuses a Host it does not list, so both sides name one).
 */
public enum Carriers {
  TCP(false, null, false),
  TLS(true, null, false),
  WS(false, "/v2ws", false),
  WS_TLS(true, "/v2ws", false),
  H2_TLS(true, "/v2h2", true);

  static final String H2_HOST = "peer.test";

  private final boolean tls;
  private final String wsPath;
  private final boolean h2;

  Carriers(boolean tls, String path, boolean h2) {
    this.tls = tls;
    this.wsPath = path;
    this.h2 = h2;
  }

  /** The v2ray streamSettings object. */
  public String v2ray(TestCerts certs, boolean server) {
    StringBuilder b = new StringBuilder("{");
    if (h2) {
      b.append(
          "\"network\": \"http\", \"httpSettings\": {\"host\": [\"%s\"], \"path\": \"%s\"}"
              .formatted(H2_HOST, wsPath));
    } else {
      b.append(
          wsPath == null
              ? "\"network\": \"tcp\""
              : "\"network\": \"ws\", \"wsSettings\": {\"path\": \"" + wsPath + "\"}");
    }
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
    if (h2) {
      b.append(
          ", \"transport\": {\"type\": \"http\", \"host\": [\"%s\"], \"path\": \"%s\"}"
              .formatted(H2_HOST, wsPath));
    } else if (wsPath != null) {
      b.append(", \"transport\": {\"type\": \"ws\", \"path\": \"%s\"}".formatted(wsPath));
    }
    return b.toString();
  }
}
