package dev.umbra.wireguard.device;

import dev.umbra.wireguard.noise.StaticIdentity;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A device: our static identity, the peers, the tunnel MTU (transport plaintext is padded up to
 * it), how many handshake messages per second put us "under load" (then initiations must carry a
 * valid mac2, else they get a cookie reply), and the clock (injectable for timer tests).
 */
public record DeviceConfig(
    StaticIdentity identity,
    List<PeerConfig> peers,
    int mtu,
    int handshakesPerSecondUnderLoad,
    LongSupplier nanoClock) {
  public static final int DEFAULT_MTU = 1420;

  public DeviceConfig {
    peers = List.copyOf(peers);
    if (mtu < 576 || mtu > 65535) {
      throw new IllegalArgumentException("mtu out of range: " + mtu);
    }
    if (nanoClock == null) {
      nanoClock = System::nanoTime;
    }
  }

  public DeviceConfig(StaticIdentity identity, List<PeerConfig> peers, int mtu) {
    this(identity, peers, mtu, 128, System::nanoTime);
  }
}
