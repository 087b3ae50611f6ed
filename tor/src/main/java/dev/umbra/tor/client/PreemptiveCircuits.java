package dev.umbra.tor.client;

import dev.umbra.tor.circuit.Circuit;
import dev.umbra.tor.dir.Relay;
import dev.umbra.tor.path.PathSelector;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Preemptively built circuits (path-spec §2.1.1): ports used in the last hour are "predicted" (80
 * from the start, as C tor does), and a background virtual thread keeps {@link #PER_PORT} clean,
 * never-used exit circuits ready for each, at most {@link #MAX_CLEAN} in all, so that a new
 * isolation key gets a circuit without waiting for a build. Clean circuits are retired unused after
 * {@link #MAX_AGE}.
 */
final class PreemptiveCircuits implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PreemptiveCircuits.class);
  static final int PER_PORT = 2;
  static final int MAX_CLEAN = 6;
  static final Duration PORT_RELEVANCE = Duration.ofHours(1);
  static final Duration MAX_AGE = Duration.ofMinutes(30);
  private static final Duration TICK = Duration.ofMillis(500);
  private static final Duration FAILURE_BACKOFF = Duration.ofSeconds(5);

  /** A clean circuit and its exit. */
  /** {@code stable}: every hop has the Stable flag, so the circuit may carry long-lived ports. */
  record Clean(Circuit circuit, Relay exit, Instant built, boolean stable) {}

  /** Builds one 3-hop circuit whose exit allows the port. */
  @FunctionalInterface
  interface Builder {
    Clean build(int port) throws IOException;
  }

  private final Builder builder;
  private final Map<Integer, Instant> ports = new ConcurrentHashMap<>();
  private final List<Clean> clean = new ArrayList<>();
  private volatile boolean closed;
  private int used; // guarded by clean
  private volatile Thread thread;

  PreemptiveCircuits(Builder builder) {
    this.builder = builder;
  }

  synchronized void start() {
    if (thread != null || closed) {
      return;
    }
    ports.putIfAbsent(80, Instant.now());
    thread = Thread.ofVirtual().name("tor-preemptive-circuits").start(this::run);
  }

  void notePort(int port) {
    ports.put(port, Instant.now());
  }

  /** Takes a clean circuit whose exit allows {@code port}, or null. */
  Clean take(int port) {
    synchronized (clean) {
      for (int i = 0; i < clean.size(); i++) {
        Clean c = clean.get(i);
        if (c.circuit().isOpen()
            && c.exit().exitsTo(port)
            && (c.stable() || !PathSelector.needsStable(port))) {
          clean.remove(i);
          used++;
          return c;
        }
      }
    }
    return null;
  }

  int used() {
    synchronized (clean) {
      return used;
    }
  }

  int size() {
    synchronized (clean) {
      return (int) clean.stream().filter(c -> c.circuit().isOpen()).count();
    }
  }

  private void run() {
    while (!closed) {
      Duration pause = TICK;
      try {
        Integer port = portNeedingCircuit();
        if (port != null) {
          Clean c = builder.build(port);
          synchronized (clean) {
            if (closed) {
              c.circuit().close();
            } else {
              clean.add(c);
            }
          }
          LOG.debug("preemptive circuit for port {} ready via exit {}", port, c.exit());
          pause = Duration.ZERO;
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("preemptive circuit build failed: {}", e.toString());
        pause = FAILURE_BACKOFF;
      }
      if (!pause.isZero()) {
        try {
          Thread.sleep(pause);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Drops stale ports and dead or old circuits; returns a port that lacks clean circuits. */
  private Integer portNeedingCircuit() {
    Instant now = Instant.now();
    ports.values().removeIf(t -> t.plus(PORT_RELEVANCE).isBefore(now));
    synchronized (clean) {
      clean.removeIf(c -> {
        boolean stale = !c.circuit().isOpen() || c.built().plus(MAX_AGE).isBefore(now);
        if (stale) {
          c.circuit().close();
        }
        return stale;
      });
      if (clean.size() >= MAX_CLEAN) {
        return null;
      }
      for (int port : ports.keySet()) {
        long ready = clean.stream().filter(c -> c.exit().exitsTo(port)).count();
        if (ready < PER_PORT) {
          return port;
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
    synchronized (clean) {
      for (Clean c : clean) {
        c.circuit().close();
      }
      clean.clear();
    }
  }
}
