package dev.umbra.proxy.group;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections a group opened, so that a change of member can close them ({@code
 * interrupt_exist_connections}). Held weakly and unwrapped: a finished connection is forgotten once
 * collected, the relay keeps its socket fast path, and closing one already closed does nothing.
 */
final class LiveConnections {
  private static final Logger LOG = LoggerFactory.getLogger(LiveConnections.class);
  private final Set<Closeable> live = Collections.newSetFromMap(new WeakHashMap<>());

  synchronized <T extends Closeable> T add(T c) {
    live.add(c);
    return c;
  }

  /** Closes every connection opened so far; the relays carrying them end. */
  void closeAll(String group, String reason) {
    List<Closeable> all;
    synchronized (this) {
      all = new ArrayList<>(live);
      live.clear();
    }
    if (!all.isEmpty()) {
      LOG.info("outbound/{}: {}: closing {} connection(s)", group, reason, all.size());
    }
    for (Closeable c : all) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.debug("outbound/{}: close: {}", group, e.toString());
      }
    }
  }
}
