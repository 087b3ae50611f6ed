package dev.umbra.proxy.vless;

import dev.umbra.core.config.ConfigException;

/** VLESS flows: only the plain one ("") so far. */
final class Flow {
  static final String VISION = "xtls-rprx-vision";

  private Flow() {}

  static void check(String flow, String path) {
    if (flow == null || flow.isEmpty()) {
      return;
    }
    if (flow.equals(VISION)) {
      throw new ConfigException(path, "flow '" + VISION + "' is not supported yet");
    }
    throw new ConfigException(path, "unknown flow '" + flow + "'");
  }
}
