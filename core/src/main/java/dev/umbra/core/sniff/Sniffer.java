package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;
import java.util.List;

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

  /**
   * UDP: recognises a protocol from a flow's first datagrams, in arrival order. A sniffer whose
   * first message may span several datagrams (QUIC) answers NeedMore until it has them all; the
   * default looks at the first datagram only.
   */
  default SniffOutcome sniffPackets(List<ByteBuffer> datagrams) {
    return sniff(datagrams.getFirst());
  }
}
