package dev.umbra.proxy.vless;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.config.Validated;
import dev.umbra.proxy.mux.MultiplexInboundOptions;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.TransportOptions;
import java.util.List;

/** The sing-box {@code vless} inbound. */
public record VlessInboundOptions(
    @Flatten ListenOptions listen,
    List<VlessUser> users,
    TlsOptions tls,
    MultiplexInboundOptions multiplex,
    TransportOptions transport)
    implements Validated {

  @Override
  public void validate(String p) {
    if (users == null || users.isEmpty()) {
      throw new ConfigException(JsonPaths.field(p, "users"), "at least one user is required");
    }
    for (int i = 0; i < users.size(); i++) {
      String up = JsonPaths.index(JsonPaths.field(p, "users"), i);
      Uuids.parse(users.get(i).uuid(), JsonPaths.field(up, "uuid"));
      Flow.check(users.get(i).flow(), JsonPaths.field(up, "flow"));
      if (Flow.isVision(users.get(i).flow())) {
        Flow.checkCarrier(JsonPaths.field(up, "flow"), tls, transport, false);
      }
    }
  }
}
