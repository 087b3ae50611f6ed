package dev.umbra.netstack;

import java.io.IOException;

/**
 * Where the stack sends the IP packets it builds: a WireGuard device, a TUN device, or a test link.
 * Packets coming the other way are handed to {@link NetStack#input}.
 */
@FunctionalInterface
public interface Link {
  void send(byte[] packet, int off, int len) throws IOException;
}
