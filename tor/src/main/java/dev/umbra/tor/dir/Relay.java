package dev.umbra.tor.dir;

import dev.umbra.tor.channel.RelayTarget;
import dev.umbra.tor.circuit.HopSpec;
import java.net.InetSocketAddress;

/** A usable relay: its consensus entry joined with its microdescriptor. */
public record Relay(RouterStatus status, Microdescriptor md) {
  public HopSpec hop() {
    return new HopSpec(
        new RelayTarget(
            new InetSocketAddress(status.address(), status.orPort()),
            status.rsaId(),
            md.ed25519Id()),
        md.ntorOnionKey(),
        md.ed25519Id() != null && supportsRelayProtocol(status.protocols(), 4));
  }

  /** True when the "pr" line lists {@code version} for the Relay subprotocol (4 = ntor-v3). */
  static boolean supportsRelayProtocol(String protocols, int version) {
    for (String entry : protocols.split(" ", -1)) {
      if (!entry.startsWith("Relay=")) {
        continue;
      }
      for (String range : entry.substring(6).split(",", -1)) {
        int dash = range.indexOf('-');
        try {
          int lo = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
          int hi = dash < 0 ? lo : Integer.parseInt(range.substring(dash + 1));
          if (version >= lo && version <= hi) {
            return true;
          }
        } catch (NumberFormatException e) {
          return false;
        }
      }
    }
    return false;
  }

  public boolean exitsTo(int port) {
    return md.policy().allows(port) && !status.has("BadExit");
  }

  @Override
  public String toString() {
    return status.toString();
  }
}
