package dev.umbra.core.sniff;

import java.util.List;

/**
 * What a sniffer recognised in the first bytes of a connection.
 *
 * @param protocol sing-box's protocol name: "tls", "http", "quic", "dns", "ssh", "bittorrent"
 * @param domain the server name it carries (SNI, Host), or null
 * @param client the client software where the protocol reveals it (SSH banner, QUIC fingerprint),
 *     or null
 * @param alpn the application protocols a TLS or QUIC ClientHello offers, in order; empty if none
 */
public record SniffResult(String protocol, String domain, String client, List<String> alpn) {
  public SniffResult {
    alpn = alpn == null ? List.of() : List.copyOf(alpn);
  }

  public SniffResult(String protocol, String domain, String client) {
    this(protocol, domain, client, List.of());
  }
}
