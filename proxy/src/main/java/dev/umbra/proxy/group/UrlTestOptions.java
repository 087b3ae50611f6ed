package dev.umbra.proxy.group;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Validated;
import java.time.Duration;
import java.util.List;

/**
 * The sing-box {@code urltest} outbound; Umbra's {@code fallback} and {@code loadbalance} use the
 * same probe fields.
 */
public record UrlTestOptions(
    List<String> outbounds,
    String url,
    Duration interval,
    Integer tolerance,
    Duration idleTimeout,
    String strategy,
    Boolean interruptExistConnections)
    implements Validated {

  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(3);
  static final Duration DEFAULT_IDLE = Duration.ofMinutes(30);
  static final int DEFAULT_TOLERANCE = 50;

  @Override
  public void validate(String path) {
    if (interval != null && interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException(path + ".interval", "must be at least 1s");
    }
    if (tolerance != null && tolerance < 0) {
      throw new ConfigException(path + ".tolerance", "must not be negative");
    }
  }

  Duration intervalOrDefault() {
    return interval == null ? DEFAULT_INTERVAL : interval;
  }

  Duration idleOrDefault() {
    return idleTimeout == null ? DEFAULT_IDLE : idleTimeout;
  }

  int toleranceOrDefault() {
    return tolerance == null ? DEFAULT_TOLERANCE : tolerance;
  }
}
