package dev.umbra.core.route.action;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Unsupported;
import dev.umbra.core.config.Validated;
import java.time.Duration;

/** The route-options fields, shared by the {@code route} and {@code route-options} actions. */
public record OverrideOptions(
    String overrideAddress,
    Integer overridePort,
    @Unsupported String networkStrategy,
    @Unsupported Duration fallbackDelay,
    @Unsupported Boolean udpDisableDomainUnmapping,
    @Unsupported Boolean udpConnect,
    Duration udpTimeout,
    @Unsupported Boolean tlsFragment,
    @Unsupported Duration tlsFragmentFallbackDelay,
    @Unsupported Boolean tlsRecordFragment)
    implements Validated {

  @Override
  public void validate(String path) {
    if (overridePort != null && (overridePort < 1 || overridePort > 65535)) {
      throw new ConfigException(
          JsonPaths.field(path, "override_port"), "expected a port 1-65535, got " + overridePort);
    }
    if (overrideAddress != null && overrideAddress.isBlank()) {
      throw new ConfigException(JsonPaths.field(path, "override_address"), "must not be empty");
    }
  }

  public boolean isEmpty() {
    return overrideAddress == null && overridePort == null && udpTimeout == null;
  }
}
