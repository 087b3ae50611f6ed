package dev.umbra.proxy.http;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import java.util.List;
import java.util.Map;

/** The sing-box {@code http} outbound (an HTTP CONNECT client). */
public record HttpOutboundOptions(
    @Flatten DialOptions dial,
    String server,
    Integer serverPort,
    String username,
    String password,
    String path,
    Map<String, List<String>> headers,
    dev.umbra.tls.TlsOptions tls)
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
    if (password != null && username == null) {
      throw new ConfigException(JsonPaths.field(p, "username"), "password given without username");
    }
  }
}
