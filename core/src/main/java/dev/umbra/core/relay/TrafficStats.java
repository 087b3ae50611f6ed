package dev.umbra.core.relay;

import dev.umbra.core.adapter.Metadata;

/** Byte counters per inbound, outbound and user, kept for the life of the process. */
public interface TrafficStats {
  /**
   * A counter adding to the totals of the connection's inbound, of {@code outboundTag}, and of its
   * user if it has one.
   */
  TrafficCounter counterFor(Metadata metadata, String outboundTag);
}
