package dev.umbra.transport;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sing-box V2Ray {@code transport} object: one record for every type's fields, each type
 * checking that only its own fields are set.
 */
public record TransportOptions(
    String type,
    List<String> host,
    String path,
    String method,
    Map<String, List<String>> headers,
    Integer maxEarlyData,
    String earlyDataHeaderName,
    String serviceName,
    Duration idleTimeout,
    Duration pingTimeout,
    Boolean permitWithoutStream)
    implements Validated {

  /** Transport types Umbra carries today. */
  public static final Set<String> SUPPORTED = Set.of("ws", "httpupgrade", "http", "grpc", "quic");

  @Override
  public void validate(String p) {
    if (type == null || type.isEmpty()) {
      throw new ConfigException(JsonPaths.field(p, "type"), "missing transport type");
    }
    if (!SUPPORTED.contains(type)) {
      throw new ConfigException(JsonPaths.field(p, "type"), "unknown transport '" + type + "'");
    }
    boolean ws = type.equals("ws");
    boolean http = type.equals("http");
    boolean grpc = type.equals("grpc");
    boolean quic = type.equals("quic"); // sing-box's V2RayQUICOptions has no fields
    reject(p, "method", !http && method != null);
    reject(p, "service_name", !grpc && serviceName != null);
    reject(p, "idle_timeout", !http && !grpc && idleTimeout != null);
    reject(p, "ping_timeout", !http && !grpc && pingTimeout != null);
    reject(p, "permit_without_stream", !grpc && permitWithoutStream != null);
    reject(p, "max_early_data", !ws && maxEarlyData != null);
    reject(p, "early_data_header_name", !ws && earlyDataHeaderName != null);
    reject(p, "host", (ws || grpc || quic) && host != null);
    reject(p, "path", (grpc || quic) && path != null);
    reject(p, "headers", (grpc || quic) && headers != null);
    if (!http && host != null && host.size() > 1) {
      throw new ConfigException(JsonPaths.field(p, "host"), "expected one host for " + type);
    }
    if (maxEarlyData != null && (maxEarlyData < 0 || maxEarlyData > 65536)) {
      throw new ConfigException(
          JsonPaths.field(p, "max_early_data"), "expected 0-65536, got " + maxEarlyData);
    }
    if (path != null && !path.isEmpty() && !path.startsWith("/")) {
      throw new ConfigException(JsonPaths.field(p, "path"), "must start with '/'");
    }
  }

  private void reject(String p, String field, boolean present) {
    if (present) {
      throw new ConfigException(
          JsonPaths.field(p, field), "field '" + field + "' does not apply to transport " + type);
    }
  }

  /** The gRPC service name ("" when unset, as sing-box). */
  public String serviceNameOrEmpty() {
    return serviceName == null ? "" : serviceName;
  }

  public Duration idleTimeoutOrZero() {
    return idleTimeout == null ? Duration.ZERO : idleTimeout;
  }

  /** sing-box's default ping timeout is 15 s. */
  public Duration pingTimeoutOrDefault() {
    return pingTimeout == null || pingTimeout.isZero() ? Duration.ofSeconds(15) : pingTimeout;
  }

  /** The request path, "/" when unset. */
  public String pathOrRoot() {
    return path == null || path.isEmpty() ? "/" : path;
  }

  public Map<String, List<String>> headersOrEmpty() {
    return headers == null ? Map.of() : headers;
  }

  public int maxEarlyDataOrZero() {
    return maxEarlyData == null ? 0 : maxEarlyData;
  }

  /** The Host header: the host field, else a Host from headers, else {@code fallback}. */
  public String hostOr(String fallback) {
    if (host != null && !host.isEmpty()) {
      return host.getFirst();
    }
    for (var e : headersOrEmpty().entrySet()) {
      if (e.getKey().equalsIgnoreCase("host") && !e.getValue().isEmpty()) {
        return e.getValue().getFirst();
      }
    }
    return fallback;
  }
}
