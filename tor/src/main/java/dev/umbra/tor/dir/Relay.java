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
        md.ntorOnionKey());
  }

  public boolean exitsTo(int port) {
    return md.policy().allows(port) && !status.has("BadExit");
  }

  @Override
  public String toString() {
    return status.toString();
  }
}
