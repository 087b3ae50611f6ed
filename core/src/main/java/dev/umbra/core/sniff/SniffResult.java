package dev.umbra.core.sniff;

/**
 * What a sniffer recognised in the first bytes of a connection.
 *
 * @param protocol sing-box's protocol name: "tls", "http", "quic", "dns", "ssh", "bittorrent"
 * @param domain the server name it carries (SNI, Host), or null
 * @param client the client software where the protocol reveals it (SSH banner, QUIC fingerprint),
 *     or null
 */
public record SniffResult(String protocol, String domain, String client) {}
