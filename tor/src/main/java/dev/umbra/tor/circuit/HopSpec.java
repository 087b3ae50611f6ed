package dev.umbra.tor.circuit;

import dev.umbra.tor.channel.RelayTarget;

/** A relay to put on a circuit: how to reach it, its identities and its ntor onion key. */
@SuppressWarnings("ArrayRecordComponent")
public record HopSpec(RelayTarget target, byte[] ntorOnionKey) {
  public HopSpec {
    if (ntorOnionKey == null || ntorOnionKey.length != 32) {
      throw new IllegalArgumentException("ntor onion key must be 32 bytes");
    }
  }
}
