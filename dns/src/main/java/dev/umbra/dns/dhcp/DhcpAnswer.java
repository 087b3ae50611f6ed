package dev.umbra.dns.dhcp;

import java.net.Inet4Address;
import java.util.List;

/**
 * What a DHCP server told us: its DNS servers (option 6) and search domains (option 119, else
 * option 15).
 *
 * @param via the message that carried it: {@code ACK} (to our INFORM) or {@code OFFER}
 * @param server the server identifier (option 54), null when the server sent none
 */
public record DhcpAnswer(
    String via, Inet4Address server, List<Inet4Address> dnsServers, List<String> search) {
  public DhcpAnswer {
    dnsServers = List.copyOf(dnsServers);
    search = List.copyOf(search);
  }
}
