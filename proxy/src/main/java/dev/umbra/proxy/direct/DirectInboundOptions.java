package dev.umbra.proxy.direct;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.config.Validated;

/** The sing-box {@code direct} inbound: a TCP/UDP port forward. */
public record DirectInboundOptions(
    @Flatten ListenOptions listen, String network, String overrideAddress, Integer overridePort)
    implements Validated {

  @Override
  public void validate(String path) {
    if (network != null && !network.equals("tcp") && !network.equals("udp")) {
      throw new ConfigException(
          JsonPaths.field(path, "network"), "expected 'tcp' or 'udp', got '" + network + "'");
    }
    if (overridePort != null && (overridePort < 1 || overridePort > 65535)) {
      throw new ConfigException(
          JsonPaths.field(path, "override_port"), "expected a port 1-65535, got " + overridePort);
    }
  }

  boolean tcp() {
    return network == null || network.equals("tcp");
  }

  boolean udp() {
    return network == null || network.equals("udp");
  }
}
