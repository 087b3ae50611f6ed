package dev.umbra.proxy.trojan;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import dev.umbra.core.net.Destination;

/** Where non-Trojan input goes: a real web server that answers probes. */
public record FallbackServer(String server, Integer serverPort) implements Validated {
  @Override
  public void validate(String p) {
    if (server == null || server.isEmpty()) {
      throw new ConfigException(JsonPaths.field(p, "server"), "missing fallback server");
    }
    if (serverPort == null || serverPort < 1 || serverPort > 65535) {
      throw new ConfigException(
          JsonPaths.field(p, "server_port"), "expected a port 1-65535, got " + serverPort);
    }
  }

  public Destination destination() {
    return Destination.of(server, serverPort);
  }
}
