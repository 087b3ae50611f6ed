package dev.umbra.core.adapter;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What is known about one connection: where it came from, where it goes, and what routing learned
 * on the way (sniffed protocol and domain, resolved addresses).
 *
 * @param inbound tag of the inbound that accepted it
 * @param inboundType type of that inbound ("mixed", "socks", ...)
 * @param network tcp or udp
 * @param source the client's address
 * @param destination where the client asked to go
 * @param user authenticated user name, or null
 * @param protocol sniffed protocol ("tls", "http", "quic", "dns", "ssh", "bittorrent"), or null
 * @param sniffedDomain domain found by sniffing (SNI, Host), or null
 * @param destinationAddresses addresses the destination domain resolved to by a {@code resolve}
 *     action; empty if none
 */
public record Metadata(
    String inbound,
    String inboundType,
    Network network,
    InetSocketAddress source,
    Destination destination,
    String user,
    String protocol,
    String sniffedDomain,
    List<InetAddress> destinationAddresses) {

  public Metadata {
    destinationAddresses =
        destinationAddresses == null ? List.of() : List.copyOf(destinationAddresses);
  }

  public static Metadata of(
      String inbound,
      String inboundType,
      Network network,
      InetSocketAddress source,
      Destination destination) {
    return new Metadata(
        inbound, inboundType, network, source, destination, null, null, null, List.of());
  }

  /** Metadata for a connection an outbound opens for its own use (health checks, detours). */
  public static Metadata internal(Network network, Destination destination) {
    return of("", "", network, null, destination);
  }

  public Metadata withDestination(Destination d) {
    return new Metadata(
        inbound,
        inboundType,
        network,
        source,
        d,
        user,
        protocol,
        sniffedDomain,
        destinationAddresses);
  }

  public Metadata withUser(String u) {
    return new Metadata(
        inbound,
        inboundType,
        network,
        source,
        destination,
        u,
        protocol,
        sniffedDomain,
        destinationAddresses);
  }

  public Metadata withSniffed(String sniffedProtocol, String domain) {
    return new Metadata(
        inbound,
        inboundType,
        network,
        source,
        destination,
        user,
        sniffedProtocol,
        domain,
        destinationAddresses);
  }

  public Metadata withDestinationAddresses(List<InetAddress> addresses) {
    return new Metadata(
        inbound,
        inboundType,
        network,
        source,
        destination,
        user,
        protocol,
        sniffedDomain,
        addresses);
  }

  /** The domain rules match against: the destination's own domain, else the sniffed one. */
  public String domain() {
    if (destination instanceof Destination.Domain d) {
      return d.name();
    }
    return sniffedDomain;
  }
}
