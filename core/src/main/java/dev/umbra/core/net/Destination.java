package dev.umbra.core.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Where a connection or packet goes: a domain name or an IP address, with a port. */
public sealed interface Destination permits Destination.Domain, Destination.Ip {

  int port();

  /** The same host with another port. */
  Destination withPort(int port);

  /** host:port, with IPv6 addresses in brackets. */
  @Override
  String toString();

  /** The host part as written on the wire (domain, dotted IPv4 or IPv6 without brackets). */
  String host();

  record Domain(String name, int port) implements Destination {
    public Domain {
      checkPort(port);
      if (name == null || name.isEmpty() || name.length() > 255) {
        throw new IllegalArgumentException("invalid domain name: " + name);
      }
      name = name.toLowerCase(Locale.ROOT);
      if (name.endsWith(".") && name.length() > 1) {
        name = name.substring(0, name.length() - 1);
      }
    }

    @Override
    public Destination withPort(int port) {
      return new Domain(name, port);
    }

    @Override
    public String host() {
      return name;
    }

    @Override
    public String toString() {
      return name + ":" + port;
    }
  }

  record Ip(InetAddress address, int port) implements Destination {
    public Ip {
      checkPort(port);
      if (address == null) {
        throw new IllegalArgumentException("address is null");
      }
    }

    public InetSocketAddress socketAddress() {
      return new InetSocketAddress(address, port);
    }

    public boolean isIpv6() {
      return address instanceof java.net.Inet6Address;
    }

    @Override
    public Destination withPort(int port) {
      return new Ip(address, port);
    }

    @Override
    public String host() {
      return address.getHostAddress();
    }

    @Override
    public String toString() {
      return isIpv6() ? "[" + host() + "]:" + port : host() + ":" + port;
    }
  }

  /**
   * Parses a host (IP literal, with or without IPv6 brackets, or domain) without any DNS lookup.
   */
  static Destination of(String host, int port) {
    String h = host;
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    InetAddress literal = IpLiterals.parse(h);
    return literal != null ? new Ip(literal, port) : new Domain(h, port);
  }

  static Destination of(InetSocketAddress address) {
    if (address.isUnresolved()) {
      return of(address.getHostString(), address.getPort());
    }
    return new Ip(address.getAddress(), address.getPort());
  }

  /** Parses "host:port" or "[v6]:port". */
  static Destination parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
    }
    String host = hostPort.substring(0, colon);
    if (host.contains(":") && !host.startsWith("[")) {
      throw new IllegalArgumentException("IPv6 address must be in brackets: '" + hostPort + "'");
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port in '" + hostPort + "'", e);
    }
    return of(host, port);
  }

  private static void checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** IP literal parsing that never touches DNS. */
  final class IpLiterals {
    private IpLiterals() {}

    /** Returns the address if {@code s} is an IPv4 or IPv6 literal, otherwise null. */
    public static InetAddress parse(String s) {
      if (s.isEmpty()) {
        return null;
      }
      boolean v6 = s.indexOf(':') >= 0;
      if (!v6 && !isDottedQuad(s)) {
        return null;
      }
      if (v6 && !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        return null;
      }
      try {
        // Only literals reach here, so getByName does not resolve.
        return InetAddress.getByName(s);
      } catch (UnknownHostException e) {
        return null;
      }
    }

    private static boolean isDottedQuad(String s) {
      String[] parts = s.split("\\.", -1);
      if (parts.length != 4) {
        return false;
      }
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
          return false;
        }
        if (Integer.parseInt(p) > 255) {
          return false;
        }
      }
      return true;
    }
  }
}
