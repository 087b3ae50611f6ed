package dev.umbra.tor.channel;

import java.net.InetSocketAddress;

/** Where a relay is and who it must prove to be (RSA SHA-1 identity, optional Ed25519 identity). */
@SuppressWarnings("ArrayRecordComponent")
public record RelayTarget(InetSocketAddress address, byte[] rsaId, byte[] ed25519Id) {
  public RelayTarget {
    if (rsaId == null || rsaId.length != 20) {
      throw new IllegalArgumentException("RSA identity must be 20 bytes");
    }
    if (ed25519Id != null && ed25519Id.length != 32) {
      throw new IllegalArgumentException("Ed25519 identity must be 32 bytes");
    }
  }

  @Override
  public String toString() {
    return "relay " + java.util.HexFormat.of().withUpperCase().formatHex(rsaId) + "@" + address;
  }
}
