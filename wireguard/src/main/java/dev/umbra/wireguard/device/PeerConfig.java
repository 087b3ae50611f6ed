package dev.umbra.wireguard.device;

import dev.umbra.netstack.IpPrefix;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * One peer: its static public key, optional pre-shared key (32 zero bytes when none), optional
 * initial endpoint (null: wait for it to call us), allowed IPs, persistent keepalive (zero: off)
 * and the three {@code reserved} header bytes some servers use to tag clients (null: zeros).
 */
public record PeerConfig(
    byte[] publicKey,
    byte[] presharedKey,
    InetSocketAddress endpoint,
    List<IpPrefix> allowedIps,
    Duration persistentKeepalive,
    byte[] reserved) {
  public PeerConfig {
    if (publicKey == null || publicKey.length != 32) {
      throw new IllegalArgumentException("peer public key must be 32 bytes");
    }
    presharedKey = presharedKey == null ? new byte[32] : presharedKey.clone();
    if (presharedKey.length != 32) {
      throw new IllegalArgumentException("pre-shared key must be 32 bytes");
    }
    if (reserved != null && reserved.length != 3) {
      throw new IllegalArgumentException("reserved must be 3 bytes");
    }
    allowedIps = List.copyOf(allowedIps);
    persistentKeepalive = persistentKeepalive == null ? Duration.ZERO : persistentKeepalive;
  }

  public static PeerConfig of(byte[] publicKey, InetSocketAddress endpoint, String... allowedIps) {
    return new PeerConfig(
        publicKey,
        null,
        endpoint,
        java.util.Arrays.stream(allowedIps).map(IpPrefix::parse).toList(),
        Duration.ZERO,
        null);
  }
}
