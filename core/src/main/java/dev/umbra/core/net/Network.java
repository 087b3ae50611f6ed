package dev.umbra.core.net;

import java.util.Locale;

/** Transport-layer network of a connection, as named in sing-box configs ("tcp", "udp"). */
public enum Network {
  TCP,
  UDP;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
