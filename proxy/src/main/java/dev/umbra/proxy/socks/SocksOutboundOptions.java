package dev.umbra.proxy.socks;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Unsupported;
import dev.umbra.core.config.Validated;
import tools.jackson.databind.JsonNode;

/** The sing-box {@code socks} outbound. */
public record SocksOutboundOptions(
    @Flatten DialOptions dial,
    String server,
    Integer serverPort,
    String version,
    String username,
    String password,
    String network,
    @Unsupported JsonNode udpOverTcp)
    implements Validated {

  @Override
  public void validate(String path) {
    if (server == null || server.isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "server"), "missing server address");
    }
    if (serverPort == null || serverPort < 1 || serverPort > 65535) {
      throw new ConfigException(
          JsonPaths.field(path, "server_port"), "expected a port 1-65535, got " + serverPort);
    }
    if (version != null && !version.equals("5") && !version.equals("4") && !version.equals("4a")) {
      throw new ConfigException(
          JsonPaths.field(path, "version"),
          "expected \"5\", \"4\" or \"4a\", got '" + version + "'");
    }
    if (network != null && !network.equals("tcp") && !network.equals("udp")) {
      throw new ConfigException(
          JsonPaths.field(path, "network"), "expected 'tcp' or 'udp', got '" + network + "'");
    }
    if (password != null && username == null) {
      throw new ConfigException(
          JsonPaths.field(path, "username"), "password given without username");
    }
  }

  public String versionOrDefault() {
    return version == null ? "5" : version;
  }
}
