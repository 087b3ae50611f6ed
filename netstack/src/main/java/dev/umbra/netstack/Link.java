package dev.umbra.netstack;

import java.io.IOException;

/**
 * Where the stack sends the IP packets it builds: a WireGuard device, a TUN device, or a test link.
 * Packets coming the other way are handed to {@link NetStack#input}.
 *
 * <p>The stack reuses {@code packet} after {@code send} returns, so a link that keeps it (queues
 * it) must copy it. {@code send} may be called from several threads at once, and must not call back
 * into the same stack's {@link NetStack#input} on the calling thread.
 */
@FunctionalInterface
public interface Link {
  void send(byte[] packet, int off, int len) throws IOException;
}
