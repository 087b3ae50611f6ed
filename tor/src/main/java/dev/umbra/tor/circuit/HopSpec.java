package dev.umbra.tor.circuit;

import dev.umbra.tor.channel.RelayTarget;

/**
 * A relay to put on a circuit: how to reach it, its identities, its ntor onion key, and whether to
 * use ntor-v3 (the relay advertises Relay=4 and we know its Ed25519 identity).
 */
@SuppressWarnings("ArrayRecordComponent")
public record HopSpec(RelayTarget target, byte[] ntorOnionKey, boolean ntorV3) {
  public HopSpec {
    if (ntorOnionKey == null || ntorOnionKey.length != 32) {
      throw new IllegalArgumentException("ntor onion key must be 32 bytes");
    }
    if (ntorV3 && target.ed25519Id() == null) {
      throw new IllegalArgumentException("ntor-v3 needs the relay's Ed25519 identity");
    }
  }

  public HopSpec(RelayTarget target, byte[] ntorOnionKey) {
    this(target, ntorOnionKey, false);
  }
}
