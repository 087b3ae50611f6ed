package dev.umbra.dns.config;

import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.Unsupported;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The typed fields of each {@code dns.servers[]} type (sing-box 1.12+ format). */
public sealed interface ServerOptions {

  /** {@code udp} and {@code tcp}. */
  record Plain(String server, Integer serverPort, @Flatten DialOptions dial)
      implements ServerOptions {}

  /** {@code tls} (DoT). */
  record Tls(String server, Integer serverPort, JsonNode tls, @Flatten DialOptions dial)
      implements ServerOptions {}

  /** {@code quic} (DoQ). */
  record Quic(String server, Integer serverPort, JsonNode tls, @Flatten DialOptions dial)
      implements ServerOptions {}

  /** {@code https} (DoH). */
  record Https(
      String server,
      Integer serverPort,
      String path,
      String method,
      Map<String, String> headers,
      JsonNode tls,
      @Flatten DialOptions dial)
      implements ServerOptions {}

  /** {@code hosts}. */
  record Hosts(List<String> path, Map<String, List<String>> predefined) implements ServerOptions {}

  /** {@code fakeip}. */
  record FakeIp(String inet4Range, String inet6Range) implements ServerOptions {}

  /** {@code local}. */
  record Local(
      @Unsupported("Umbra's local server always reads resolv.conf") Boolean preferGo,
      @Flatten DialOptions dial)
      implements ServerOptions {}

  /** {@code dhcp}: DNS servers asked from the DHCP server on {@code interface}. */
  record Dhcp(
      @dev.umbra.core.config.JsonName("interface") String interfaceName,
      @Unsupported("Umbra's dhcp server always asks the DHCP server") Boolean preferGo,
      @Flatten DialOptions dial)
      implements ServerOptions {}

  /** The legacy form: an {@code address} URL (deprecated in sing-box 1.12). */
  record Legacy(
      String address,
      String addressResolver,
      dev.umbra.core.config.DomainStrategy addressStrategy,
      @Unsupported java.time.Duration addressFallbackDelay,
      @Unsupported("set strategy on the dns block or a dns rule")
          dev.umbra.core.config.DomainStrategy strategy,
      String detour,
      @Unsupported("set client_subnet on the dns block or a dns rule") String clientSubnet)
      implements ServerOptions {}
}
