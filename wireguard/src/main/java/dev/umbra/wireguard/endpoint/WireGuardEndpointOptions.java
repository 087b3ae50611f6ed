package dev.umbra.wireguard.endpoint;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import java.time.Duration;
import java.util.List;

/**
 * The sing-box {@code wireguard} endpoint (option/wireguard.go). {@code system} (a kernel
 * interface) is rejected; {@code name} only names that interface, so it is accepted and unused;
 * {@code workers} sizes wireguard-go's crypto worker pool, a tuning knob with no effect on what is
 * sent, so it is accepted and unused too. The dial fields shape the outer UDP socket.
 */
public record WireGuardEndpointOptions(
    Boolean system,
    String name,
    Integer mtu,
    List<String> address,
    String privateKey,
    Integer listenPort,
    List<WireGuardPeerOptions> peers,
    Duration udpTimeout,
    Integer workers,
    @Flatten DialOptions dial)
    implements Validated {

  /** sing-box's default tunnel MTU. */
  public static final int DEFAULT_MTU = 1408;

  /** sing-box's default UDP NAT expiry (C.UDPTimeout). */
  public static final Duration DEFAULT_UDP_TIMEOUT = Duration.ofMinutes(5);

  @Override
  public void validate(String path) {
    if (Boolean.TRUE.equals(system)) {
      throw new ConfigException(
          JsonPaths.field(path, "system"),
          "a system (kernel) WireGuard interface is not supported; Umbra runs WireGuard in"
              + " userspace with its own TCP/IP stack");
    }
    if (address == null || address.isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "address"), "missing local address");
    }
    for (int i = 0; i < address.size(); i++) {
      WireGuardPeerOptions.prefix(
          JsonPaths.index(JsonPaths.field(path, "address"), i), address.get(i));
    }
    if (privateKey == null || privateKey.isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "private_key"), "missing private key");
    }
    WireGuardPeerOptions.key(path, "private_key", privateKey);
    if (peers == null || peers.isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "peers"), "missing peers");
    }
    if (mtu != null && mtu != 0 && (mtu < 576 || mtu > 65535)) {
      throw new ConfigException(
          JsonPaths.field(path, "mtu"), "expected an MTU of 576-65535, got " + mtu);
    }
    if (listenPort != null && (listenPort < 0 || listenPort > 65535)) {
      throw new ConfigException(
          JsonPaths.field(path, "listen_port"), "expected a port, got " + listenPort);
    }
    if (listenPort != null && listenPort != 0 && dial != null && dial.detour() != null) {
      throw new ConfigException(
          JsonPaths.field(path, "listen_port"), "`listen_port` conflicts with `detour`");
    }
    if (udpTimeout != null && udpTimeout.isNegative()) {
      throw new ConfigException(JsonPaths.field(path, "udp_timeout"), "must not be negative");
    }
    if (workers != null && workers < 0) {
      throw new ConfigException(
          JsonPaths.field(path, "workers"), "expected a count >= 0, got " + workers);
    }
  }

  int mtuOrDefault() {
    return mtu == null || mtu == 0 ? DEFAULT_MTU : mtu;
  }

  Duration udpTimeoutOrDefault() {
    return udpTimeout == null || udpTimeout.isZero() ? DEFAULT_UDP_TIMEOUT : udpTimeout;
  }
}
