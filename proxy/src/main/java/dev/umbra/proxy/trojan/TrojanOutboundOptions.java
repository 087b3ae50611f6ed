package dev.umbra.proxy.trojan;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import dev.umbra.proxy.mux.MultiplexOutboundOptions;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.TransportOptions;

/** The sing-box {@code trojan} outbound. */
public record TrojanOutboundOptions(
    @Flatten DialOptions dial,
    String server,
    Integer serverPort,
    String password,
    String network,
    TlsOptions tls,
    MultiplexOutboundOptions multiplex,
    TransportOptions transport)
    implements Validated {

  @Override
  public void validate(String p) {
    if (server == null || server.isEmpty()) {
      throw new ConfigException(JsonPaths.field(p, "server"), "missing server address");
    }
    if (serverPort == null || serverPort < 1 || serverPort > 65535) {
      throw new ConfigException(
          JsonPaths.field(p, "server_port"), "expected a port 1-65535, got " + serverPort);
    }
    if (password == null || password.isEmpty()) {
      throw new ConfigException(JsonPaths.field(p, "password"), "missing password");
    }
    if (network != null && !network.isEmpty() && !network.equals("tcp") && !network.equals("udp")) {
      throw new ConfigException(
          JsonPaths.field(p, "network"), "expected 'tcp' or 'udp', got '" + network + "'");
    }
  }
}
