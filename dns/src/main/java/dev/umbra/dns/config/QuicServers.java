package dev.umbra.dns.config;

import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.dial.DefaultDialer;
import dev.umbra.core.net.Destination;
import dev.umbra.dns.transport.QuicEndpoint;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Checks and builds the parts shared by the QUIC-based servers, {@code quic} and {@code h3}. */
final class QuicServers {
  /** TLS fields the QUIC library cannot honour, rejected at load. */
  private static final List<String> UNSUPPORTED_TLS =
      List.of(
          "cipher_suites",
          "curve_preferences",
          "disable_sni",
          "client_certificate",
          "client_certificate_path",
          "client_key",
          "client_key_path");

  /** Request fields HTTP/3 forbids (RFC 9114 §4.2), rejected at load. */
  private static final Set<String> CONNECTION_FIELDS =
      Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te");

  record Dial(DefaultDialer dialer, Resolver resolver, DialOptions options) {}

  interface DialFactory {
    Dial create(DialOptions dial, String path);
  }

  record Request(String authority, String path, boolean get, Map<String, String> headers) {}

  private QuicServers() {}

  static QuicEndpoint endpoint(
      Destination server, JsonNode tls, DialOptions dial, String path, String alpn, DialFactory f) {
    String tlsPath = JsonPaths.field(path, "tls");
    ObjectNode n = ServerFactory.alwaysTls(tls, tlsPath);
    for (String field : UNSUPPORTED_TLS) {
      if (n.has(field)) {
        throw new ConfigException(
            JsonPaths.field(tlsPath, field), "not supported on a QUIC-based DNS server");
      }
    }
    TlsOptions t = Binder.bind(n, TlsOptions.class, tlsPath);
    if (t.key() != null || t.keyPath() != null || t.clientAuthentication() != null) {
      throw new ConfigException(tlsPath, "server-side TLS fields on a DNS server");
    }
    if (t.maxVersion() != null && !t.maxVersion().equals("1.3")) {
      throw new ConfigException(JsonPaths.field(tlsPath, "max_version"), "QUIC uses TLS 1.3");
    }
    if (t.alpn() != null && !t.alpn().equals(List.of(alpn))) {
      throw new ConfigException(
          JsonPaths.field(tlsPath, "alpn"), "this DNS server type uses ALPN " + alpn + " only");
    }
    String name =
        t.serverName() != null && !t.serverName().isEmpty() ? t.serverName() : server.host();
    boolean checkName =
        !Boolean.TRUE.equals(t.insecure()) && t.certificatePublicKeySha256() == null;
    Dial d = f.create(dial, path);
    return new QuicEndpoint(
        server,
        name,
        TlsClient.trustManager(t, tlsPath),
        checkName,
        d.dialer(),
        d.options().detour() != null,
        d.resolver(),
        d.options().domainStrategy());
  }

  /**
   * The request target of an {@code h3} server as sing-box builds it: the authority is the {@code
   * Host} header if given (and then not sent as a field), else the TLS name; the port is added when
   * not 443.
   */
  static Request request(ServerOptions.Https o, Destination server, String tlsName, String path) {
    String method = ServerFactory.method(o, path);
    String p = ServerFactory.requestPath(o, path);
    String host = tlsName;
    Map<String, String> headers = new LinkedHashMap<>();
    if (o.headers() != null) {
      for (var e : o.headers().entrySet()) {
        String k = e.getKey();
        String v = e.getValue() == null ? "" : e.getValue();
        String at = JsonPaths.field(JsonPaths.field(path, "headers"), k);
        String lower = k.toLowerCase(Locale.ROOT);
        if (k.isEmpty() || !k.chars().allMatch(QuicServers::tokenChar)) {
          throw new ConfigException(at, "not a valid HTTP field name");
        }
        if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\0') >= 0) {
          throw new ConfigException(at, "a field value cannot hold CR, LF or NUL");
        }
        if (CONNECTION_FIELDS.contains(lower)) {
          throw new ConfigException(at, "HTTP/3 forbids connection-specific fields");
        }
        if (lower.equals("host")) {
          host = v;
        } else {
          headers.put(k, v);
        }
      }
    }
    if (host.contains(":") && !host.startsWith("[") && Destination.IpLiterals.parse(host) != null) {
      host = "[" + host + "]";
    }
    String authority = server.port() == 443 ? host : host + ":" + server.port();
    return new Request(authority, p, method.equals("GET"), headers);
  }

  private static boolean tokenChar(int c) {
    return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
  }
}
