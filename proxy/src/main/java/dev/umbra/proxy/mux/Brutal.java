package dev.umbra.proxy.mux;

import dev.umbra.core.config.ConfigException;
import tools.jackson.databind.JsonNode;

/** TCP Brutal (a Linux congestion-control module) is not available to the JVM. */
final class Brutal {
  private Brutal() {}

  static void check(JsonNode brutal, String path) {
    if (brutal == null || brutal.isNull()) {
      return;
    }
    JsonNode enabled = brutal.get("enabled");
    if (enabled != null && enabled.asBoolean(false)) {
      throw new ConfigException(path, "TCP Brutal is not supported yet");
    }
  }
}
