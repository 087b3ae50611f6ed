package dev.umbra.core.relay;

import dev.umbra.core.adapter.Metadata;
import java.io.Closeable;

/**
 * Knows every live relayed connection with its inbound and outbound tags, so that shutdown can
 * drain them and a reload can close exactly those whose inbound or outbound went away.
 */
public interface ConnectionTracker {
  /**
   * Registers a connection; {@code onKill} closes it (both sides). Close the returned handle when
   * the connection ends.
   */
  Closeable track(Metadata metadata, String outboundTag, Closeable onKill);
}
