package dev.umbra.core.config;

import java.util.List;

/** A whole configuration, read and checked: the raw root plus every typed component. */
public record Config(
    RootOptions root,
    List<ComponentConfig> inbounds,
    List<ComponentConfig> outbounds,
    List<ComponentConfig> endpoints,
    List<ComponentConfig> services) {

  public Config {
    inbounds = List.copyOf(inbounds);
    outbounds = List.copyOf(outbounds);
    endpoints = List.copyOf(endpoints);
    services = List.copyOf(services);
  }

  public LogOptions log() {
    return root.log();
  }
}
