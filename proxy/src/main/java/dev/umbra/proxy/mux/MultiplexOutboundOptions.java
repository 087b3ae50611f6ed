package dev.umbra.proxy.mux;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import tools.jackson.databind.JsonNode;

/** The sing-box outbound {@code multiplex} object (sing-mux client). */
public record MultiplexOutboundOptions(
    Boolean enabled,
    String protocol,
    Integer maxConnections,
    Integer minStreams,
    Integer maxStreams,
    Boolean padding,
    JsonNode brutal)
    implements Validated {

  public boolean on() {
    return Boolean.TRUE.equals(enabled);
  }

  /** The sing-mux protocol byte; h2mux when unset, as sing-box. */
  public int protocolId() {
    return switch (protocol == null ? "" : protocol) {
      case "smux" -> SingMux.PROTOCOL_SMUX;
      case "yamux" -> SingMux.PROTOCOL_YAMUX;
      default -> SingMux.PROTOCOL_H2MUX;
    };
  }

  @Override
  public void validate(String p) {
    String pp = JsonPaths.field(p, "protocol");
    switch (protocol == null ? "" : protocol) {
      case "", "smux", "yamux", "h2mux" -> {}
      default -> throw new ConfigException(pp, "unknown multiplex protocol '" + protocol + "'");
    }
    nonNegative(maxConnections, JsonPaths.field(p, "max_connections"));
    nonNegative(minStreams, JsonPaths.field(p, "min_streams"));
    nonNegative(maxStreams, JsonPaths.field(p, "max_streams"));
    Brutal.check(brutal, JsonPaths.field(p, "brutal"));
  }

  private static void nonNegative(Integer v, String path) {
    if (v != null && v < 0) {
      throw new ConfigException(path, "must not be negative, got " + v);
    }
  }
}
