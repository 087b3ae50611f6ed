package dev.umbra.proxy.vmess;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.config.Validated;
import dev.umbra.proxy.mux.MultiplexInboundOptions;
import dev.umbra.proxy.vless.Uuids;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.TransportOptions;
import java.util.List;

/** The sing-box {@code vmess} inbound. */
public record VmessInboundOptions(
    @Flatten ListenOptions listen,
    List<VmessUser> users,
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
      Integer a = users.get(i).alterId();
      if (a != null && a != 0) {
        throw new ConfigException(
            JsonPaths.field(up, "alterId"),
            "alterId > 0 (the legacy MD5 header) is not supported; use 0 (AEAD)");
      }
    }
  }
}
