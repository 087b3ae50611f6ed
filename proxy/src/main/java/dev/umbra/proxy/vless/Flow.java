package dev.umbra.proxy.vless;

import dev.umbra.core.config.ConfigException;

/** VLESS flows: the plain one ("") and XTLS Vision. */
final class Flow {
  static final String VISION = "xtls-rprx-vision";

  private Flow() {}

  static boolean isVision(String flow) {
    return VISION.equals(flow);
  }

  /** Vision runs only directly over TLS (as in Xray): no V2Ray transport, no multiplex. */
  static void checkCarrier(
      String flowPath, dev.umbra.tls.TlsOptions tls, Object transport, boolean mux) {
    if (tls == null || !tls.isEnabled()) {
      throw new ConfigException(flowPath, "flow '" + VISION + "' needs tls enabled");
    }
    if (transport != null) {
      throw new ConfigException(flowPath, "flow '" + VISION + "' cannot run over a transport");
    }
    if (mux) {
      throw new ConfigException(flowPath, "flow '" + VISION + "' cannot run with multiplex");
    }
  }

  static void check(String flow, String path) {
    if (flow == null || flow.isEmpty()) {
      return;
    }
    if (flow.equals(VISION)) {
      return;
    }
    throw new ConfigException(path, "unknown flow '" + flow + "'");
  }
}
