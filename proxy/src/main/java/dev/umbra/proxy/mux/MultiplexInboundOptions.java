package dev.umbra.proxy.mux;

import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import tools.jackson.databind.JsonNode;

/** The sing-box inbound {@code multiplex} object (sing-mux server). */
public record MultiplexInboundOptions(Boolean enabled, Boolean padding, JsonNode brutal)
    implements Validated {

  public boolean on() {
    return Boolean.TRUE.equals(enabled);
  }

  @Override
  public void validate(String p) {
    Brutal.check(brutal, JsonPaths.field(p, "brutal"));
  }
}
