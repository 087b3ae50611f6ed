package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;

/**
 * Recognises a protocol from the first bytes a client sends (TCP) or its first datagram (UDP). A
 * pure codec: no I/O, never consumes the buffer (reads from its position without moving it), never
 * throws on hostile input.
 */
public interface Sniffer {
  /** The name used in the sniff action's {@code sniffer} list ("http", "tls", ...). */
  String name();

  Network network();

  SniffOutcome sniff(ByteBuffer data);
}
