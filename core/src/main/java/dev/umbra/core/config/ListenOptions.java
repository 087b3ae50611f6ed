package dev.umbra.core.config;

import java.time.Duration;

/** sing-box's Listen Fields, shared by every listening inbound (flattened into its object). */
public record ListenOptions(
    String listen,
    Integer listenPort,
    @Unsupported String bindInterface,
    @Unsupported Integer routingMark,
    @Unsupported Boolean reuseAddr,
    @Unsupported String netns,
    Duration tcpKeepAlive,
    Duration tcpKeepAliveInterval,
    Boolean disableTcpKeepAlive,
    @Unsupported Boolean tcpFastOpen,
    @Unsupported Boolean tcpMultiPath,
    @Unsupported Boolean udpFragment,
    Duration udpTimeout,
    String detour,
    @Removed("removed in sing-box 1.13.0; use a route rule with action 'sniff'") Boolean sniff,
    @Removed("removed in sing-box 1.13.0; use a route rule with action 'sniff'")
        Boolean sniffOverrideDestination,
    @Removed("removed in sing-box 1.13.0; use a route rule with action 'sniff'")
        Duration sniffTimeout,
    @Removed("removed in sing-box 1.13.0; use a route rule with action 'resolve'")
        String domainStrategy,
    @Removed("removed in sing-box 1.13.0; use route-options 'udp_disable_domain_unmapping'")
        Boolean udpDisableDomainUnmapping)
    implements Validated {

  /** sing-box's default for tcp_keep_alive (initial idle time). */
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(5);

  /** sing-box's default for tcp_keep_alive_interval. */
  public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(75);

  /** sing-box's default UDP NAT idle timeout. */
  public static final Duration DEFAULT_UDP_TIMEOUT = Duration.ofMinutes(5);

  @Override
  public void validate(String path) {
    if (listenPort != null && (listenPort < 0 || listenPort > 65535)) {
      throw new ConfigException(
          JsonPaths.field(path, "listen_port"), "expected a port 0-65535, got " + listenPort);
    }
    if (listen != null && dev.umbra.core.net.Destination.IpLiterals.parse(strip(listen)) == null) {
      throw new ConfigException(
          JsonPaths.field(path, "listen"), "expected an IP address, got '" + listen + "'");
    }
    checkPositive(path, "tcp_keep_alive", tcpKeepAlive);
    checkPositive(path, "tcp_keep_alive_interval", tcpKeepAliveInterval);
    checkPositive(path, "udp_timeout", udpTimeout);
  }

  static void checkPositive(String path, String key, Duration d) {
    if (d != null && d.isNegative()) {
      throw new ConfigException(JsonPaths.field(path, key), "must not be negative");
    }
  }

  private static String strip(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  public boolean keepAliveEnabled() {
    return !Boolean.TRUE.equals(disableTcpKeepAlive);
  }

  public Duration keepAliveIdle() {
    return tcpKeepAlive != null ? tcpKeepAlive : DEFAULT_KEEP_ALIVE;
  }

  public Duration keepAliveInterval() {
    return tcpKeepAliveInterval != null ? tcpKeepAliveInterval : DEFAULT_KEEP_ALIVE_INTERVAL;
  }

  public Duration udpIdleTimeout() {
    return udpTimeout != null && !udpTimeout.isZero() ? udpTimeout : DEFAULT_UDP_TIMEOUT;
  }
}
