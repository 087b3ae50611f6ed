package dev.umbra.core.relay;

import dev.umbra.core.adapter.Metadata;
import java.io.Closeable;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** Live relayed connections, for draining at shutdown and selective closing at reload. */
public final class DefaultConnectionTracker implements ConnectionTracker {

  /** One live connection. */
  public record Entry(Metadata metadata, String outboundTag, Closeable onKill) {}

  private final Set<Entry> live = ConcurrentHashMap.newKeySet();

  @Override
  public Closeable track(Metadata metadata, String outboundTag, Closeable onKill) {
    Entry e = new Entry(metadata, outboundTag, onKill);
    live.add(e);
    return () -> {
      live.remove(e);
      synchronized (live) {
        live.notifyAll();
      }
    };
  }

  public int liveCount() {
    return live.size();
  }

  /** Closes every live connection matching {@code filter}; returns how many. */
  public int killWhere(Predicate<Entry> filter) {
    int n = 0;
    for (Entry e : live) {
      if (filter.test(e)) {
        Relay.closeQuietly(e.onKill());
        n++;
      }
    }
    return n;
  }

  /** Waits until no connection is live or the time is up; returns true if none is left. */
  public boolean awaitEmpty(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (live) {
      while (!live.isEmpty()) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        live.wait(Math.min(left, 100));
      }
    }
    return true;
  }
}
