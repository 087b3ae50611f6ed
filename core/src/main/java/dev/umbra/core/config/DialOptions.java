package dev.umbra.core.config;

import java.time.Duration;

/** sing-box's Dial Fields, shared by every outbound that connects somewhere (flattened). */
public record DialOptions(
    String detour,
    @Unsupported String bindInterface,
    String inet4BindAddress,
    String inet6BindAddress,
    @Unsupported Boolean bindAddressNoPort,
    @Unsupported Integer routingMark,
    @Unsupported Boolean reuseAddr,
    @Unsupported String netns,
    Duration connectTimeout,
    @Unsupported Boolean tcpFastOpen,
    @Unsupported Boolean tcpMultiPath,
    Boolean disableTcpKeepAlive,
    Duration tcpKeepAlive,
    Duration tcpKeepAliveInterval,
    @Unsupported Boolean udpFragment,
    tools.jackson.databind.JsonNode domainResolver,
    @Unsupported String networkStrategy,
    @Unsupported tools.jackson.databind.JsonNode networkType,
    @Unsupported tools.jackson.databind.JsonNode fallbackNetworkType,
    @Unsupported Duration fallbackDelay,
    DomainStrategy domainStrategy)
    implements Validated {

  /** sing-box's default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** No dial fields set: the system defaults. */
  public static final DialOptions DEFAULT =
      new DialOptions(
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
          null, null, null, null, null, null);

  @Override
  public void validate(String path) {
    checkBind(path, "inet4_bind_address", inet4BindAddress, false);
    checkBind(path, "inet6_bind_address", inet6BindAddress, true);
    ListenOptions.checkPositive(path, "connect_timeout", connectTimeout);
    ListenOptions.checkPositive(path, "tcp_keep_alive", tcpKeepAlive);
    ListenOptions.checkPositive(path, "tcp_keep_alive_interval", tcpKeepAliveInterval);
  }

  private static void checkBind(String path, String key, String value, boolean v6) {
    if (value == null) {
      return;
    }
    var address = dev.umbra.core.net.Destination.IpLiterals.parse(value);
    if (address == null || (address instanceof java.net.Inet6Address) != v6) {
      throw new ConfigException(
          JsonPaths.field(path, key),
          "expected an IPv" + (v6 ? "6" : "4") + " address, got '" + value + "'");
    }
  }

  public Duration connectTimeoutOrDefault() {
    return connectTimeout != null && !connectTimeout.isZero()
        ? connectTimeout
        : DEFAULT_CONNECT_TIMEOUT;
  }

  public boolean keepAliveEnabled() {
    return !Boolean.TRUE.equals(disableTcpKeepAlive);
  }

  public Duration keepAliveIdle() {
    return tcpKeepAlive != null ? tcpKeepAlive : ListenOptions.DEFAULT_KEEP_ALIVE;
  }

  public Duration keepAliveInterval() {
    return tcpKeepAliveInterval != null
        ? tcpKeepAliveInterval
        : ListenOptions.DEFAULT_KEEP_ALIVE_INTERVAL;
  }
}
