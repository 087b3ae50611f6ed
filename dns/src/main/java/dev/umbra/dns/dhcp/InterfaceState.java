package dev.umbra.dns.dhcp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What we watch of an interface: a change in any field means the DHCP answer may be stale.
 *
 * @param mac the hardware address in hex, empty when it has none
 * @param ipv4 its IPv4 addresses in the order the system lists them
 */
public record InterfaceState(
    String name, int index, boolean up, String mac, List<Inet4Address> ipv4) {

  public InterfaceState {
    ipv4 = List.copyOf(ipv4);
  }

  /** The hardware address as bytes, or null when the interface has none of 6 bytes. */
  public byte[] macBytes() {
    return mac.length() == 12 ? HexFormat.of().parseHex(mac) : null;
  }

  /** The named interface now, or null when there is none by that name. */
  public static InterfaceState of(String name) throws SocketException {
    NetworkInterface ni = NetworkInterface.getByName(name);
    if (ni == null) {
      return null;
    }
    List<Inet4Address> v4 = new ArrayList<>();
    for (InetAddress a : ni.inetAddresses().toList()) {
      if (a instanceof Inet4Address a4) {
        v4.add(a4);
      }
    }
    byte[] hw = ni.getHardwareAddress();
    return new InterfaceState(
        name, ni.getIndex(), ni.isUp(), hw == null ? "" : HexFormat.of().formatHex(hw), v4);
  }

  /**
   * The interface of the IPv4 default route with the lowest metric (Linux {@code /proc/net/route}),
   * or null when there is none.
   */
  public static String defaultInterface(Path procNetRoute) throws IOException {
    if (!Files.isReadable(procNetRoute)) {
      return null;
    }
    String best = null;
    long bestMetric = Long.MAX_VALUE;
    List<String> lines = Files.readAllLines(procNetRoute);
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).trim().split("\\s+");
      // Iface Destination Gateway Flags RefCnt Use Metric Mask ...; flag 0x1 = route is up
      if (f.length < 8 || !f[1].equals("00000000") || !f[7].equals("00000000")) {
        continue;
      }
      try {
        if ((Integer.parseInt(f[3], 16) & 1) == 0) {
          continue;
        }
        long metric = Long.parseLong(f[6]);
        if (metric < bestMetric) {
          best = f[0];
          bestMetric = metric;
        }
      } catch (NumberFormatException e) {
        // not a route line
      }
    }
    return best;
  }
}
