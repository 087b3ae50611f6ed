package dev.umbra.proxy.trojan;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.config.Validated;
import dev.umbra.proxy.mux.MultiplexInboundOptions;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.TransportOptions;
import java.util.List;
import java.util.Map;

/** The sing-box {@code trojan} inbound. */
public record TrojanInboundOptions(
    @Flatten ListenOptions listen,
    List<TrojanUser> users,
    TlsOptions tls,
    FallbackServer fallback,
    Map<String, FallbackServer> fallbackForAlpn,
    MultiplexInboundOptions multiplex,
    TransportOptions transport)
    implements Validated {

  @Override
  public void validate(String p) {
    if (users == null || users.isEmpty()) {
      throw new ConfigException(JsonPaths.field(p, "users"), "at least one user is required");
    }
    for (int i = 0; i < users.size(); i++) {
      TrojanUser u = users.get(i);
      if (u.password() == null || u.password().isEmpty()) {
        throw new ConfigException(
            JsonPaths.field(JsonPaths.index(JsonPaths.field(p, "users"), i), "password"),
            "missing password");
      }
    }
  }

  public Map<String, FallbackServer> fallbackForAlpnOrEmpty() {
    return fallbackForAlpn == null ? Map.of() : fallbackForAlpn;
  }
}
