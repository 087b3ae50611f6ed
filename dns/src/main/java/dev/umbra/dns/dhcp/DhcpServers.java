package dev.umbra.dns.dhcp;

import dev.umbra.core.config.ConfigException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** Builds a {@code dhcp} server from its checked options. */
public final class DhcpServers {
  /** sing-box's {@code C.DHCPTimeout} is 5 s for DISCOVER; INFORM gets 2 s of our own before. */
  static final Duration INFORM_WAIT = Duration.ofSeconds(2);

  static final Duration DISCOVER_WAIT = Duration.ofSeconds(5);

  private static final Path PROC_NET_ROUTE = Path.of("/proc/net/route");

  private DhcpServers() {}

  /**
   * @param interfaceName the {@code interface} option; null or empty for the interface of the
   *     default route, looked up on every poll
   * @param interfacePath the JSON path of {@code interface}, for the error when it does not exist
   */
  public static DhcpTransport create(
      String tag,
      String interfaceName,
      String interfacePath,
      DhcpTransport.Upstreams upstreams,
      Supplier<List<InetAddress>> fallback,
      String fallbackName) {
    DhcpTransport.InterfaceLookup lookup;
    String label;
    if (interfaceName == null || interfaceName.isEmpty()) {
      label = "the default interface";
      lookup =
          () -> {
            String name = InterfaceState.defaultInterface(PROC_NET_ROUTE);
            return name == null ? null : InterfaceState.of(name);
          };
    } else {
      try {
        if (InterfaceState.of(interfaceName) == null) {
          throw new ConfigException(
              interfacePath, "no network interface named '" + interfaceName + "'");
        }
      } catch (SocketException e) {
        throw new UncheckedIOException(e);
      }
      label = interfaceName;
      lookup = () -> InterfaceState.of(interfaceName);
    }
    return new DhcpTransport(
        tag,
        label,
        lookup,
        new DhcpClient(tag, INFORM_WAIT, DISCOVER_WAIT),
        DhcpClient.Endpoint::onInterface,
        upstreams,
        fallback,
        fallbackName,
        DhcpTransport.POLL);
  }
}
