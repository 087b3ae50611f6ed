package dev.umbra.proxy.group;

import java.io.Closeable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every member now and then, on a virtual thread; stops probing while the group is unused
 * for {@code idle} and catches up on the next use, as sing-box's URLTest does.
 */
final class HealthCheck implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthCheck.class);
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * A member's last result: delay in ms, or -1 when the probe failed; {@code atNanos} is when the
   * probe began (or the failed dial happened), so a slow probe cannot overwrite newer news.
   */
  record Result(long delayMillis, long atNanos) {
    boolean ok() {
      return delayMillis >= 0;
    }
  }

  private final String group;
  private final Members members;
  private final Probe probe;
  private final Duration interval;
  private final Duration idle;
  private final Map<String, Result> results = new ConcurrentHashMap<>();
  private final AtomicLong lastUsed = new AtomicLong(System.nanoTime());
  private final Runnable onUpdate;
  private volatile Thread loop;
  private volatile boolean closed;

  HealthCheck(
      String group,
      Members members,
      Probe probe,
      Duration interval,
      Duration idle,
      Runnable onUpdate) {
    this.group = group;
    this.members = members;
    this.probe = probe;
    this.interval = interval;
    this.idle = idle;
    this.onUpdate = onUpdate;
  }

  void start() {
    loop = Thread.ofVirtual().name("probe-" + group).start(this::run);
  }

  private void run() {
    while (!closed) {
      if (System.nanoTime() - lastUsed.get() < idle.toNanos()) {
        probeAll();
      }
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Probes every member in parallel and waits for all; returns the results. */
  Map<String, Result> probeAll() {
    Map<String, Thread> threads = new java.util.LinkedHashMap<>();
    for (String tag : members.tags()) {
      threads.put(tag, Thread.ofVirtual().start(() -> record(tag, probeOne(tag))));
    }
    for (Thread t : threads.values()) {
      try {
        t.join(PROBE_TIMEOUT.plusSeconds(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    onUpdate.run();
    return Map.copyOf(results);
  }

  private Result probeOne(String tag) {
    long began = System.nanoTime();
    try {
      return new Result(probe.measure(members.get(tag), PROBE_TIMEOUT), began);
    } catch (java.io.IOException | RuntimeException e) {
      LOG.debug("group {}: probe via {} failed: {}", group, tag, e.toString());
      return new Result(-1, began);
    }
  }

  private void record(String tag, Result result) {
    results.merge(tag, result, (old, now) -> now.atNanos() >= old.atNanos() ? now : old);
  }

  /** Marks the group used; if it slept through its idle time, probes again in the background. */
  void touch() {
    long previous = lastUsed.getAndSet(System.nanoTime());
    if (System.nanoTime() - previous >= idle.toNanos()) {
      Thread.ofVirtual().start(this::probeAll);
    }
  }

  /** Marks a member down after a failed dial, until its next successful probe. */
  void markDown(String tag) {
    record(tag, new Result(-1, System.nanoTime()));
    onUpdate.run();
  }

  Result result(String tag) {
    return results.get(tag);
  }

  @Override
  public void close() {
    closed = true;
    Thread t = loop;
    if (t != null) {
      t.interrupt();
    }
  }
}
