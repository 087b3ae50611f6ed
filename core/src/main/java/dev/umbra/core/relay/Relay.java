package dev.umbra.core.relay;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pumps bytes both ways between a client and a remote connection until both directions end, with
 * half-close propagated, then closes both. One 32 KiB buffer per direction, reused.
 */
public final class Relay {
  private static final int BUFFER_SIZE = 32 * 1024;

  private Relay() {}

  /**
   * How a relay behaves.
   *
   * @param idleTimeout close both sides when neither direction moved a byte for this long (null or
   *     zero: never)
   * @param counters told about every chunk relayed
   */
  public record Options(Duration idleTimeout, List<TrafficCounter> counters) {
    public Options {
      counters = counters == null ? List.of() : List.copyOf(counters);
    }

    public static final Options DEFAULT = new Options(null, List.of());
  }

  /** Blocks until both directions are done; always closes both connections. */
  public static void pipe(Conn client, Conn remote, Options options) {
    long idleNanos =
        options.idleTimeout() == null || options.idleTimeout().isZero()
            ? 0
            : options.idleTimeout().toNanos();
    AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    Direction up = new Direction(client, remote, options.counters(), true, idleNanos, lastActivity);
    Direction down =
        new Direction(remote, client, options.counters(), false, idleNanos, lastActivity);
    Thread downThread = Thread.ofVirtual().name("relay-down").start(down::run);
    try {
      up.run();
      downThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(client);
      closeQuietly(remote);
    }
  }

  private record Direction(
      Conn from,
      Conn to,
      List<TrafficCounter> counters,
      boolean up,
      long idleNanos,
      AtomicLong lastActivity) {

    void run() {
      byte[] buf = new byte[BUFFER_SIZE];
      InputStream in = from.in();
      OutputStream out = to.out();
      try {
        if (idleNanos > 0) {
          from.setReadTimeout(
              (int) Math.max(1, Math.min(Integer.MAX_VALUE, idleNanos / 2_000_000L)));
        }
        while (true) {
          int n;
          try {
            n = in.read(buf);
          } catch (SocketTimeoutException e) {
            if (System.nanoTime() - lastActivity.get() >= idleNanos) {
              // Both directions idle for the whole timeout: end the relay.
              closeQuietly(from);
              closeQuietly(to);
              return;
            }
            continue;
          }
          if (n < 0) {
            break;
          }
          out.write(buf, 0, n);
          out.flush();
          if (idleNanos > 0) {
            lastActivity.set(System.nanoTime());
          }
          for (TrafficCounter c : counters) {
            if (up) {
              c.addUp(n);
            } else {
              c.addDown(n);
            }
          }
        }
        to.shutdownOutput();
      } catch (IOException e) {
        // One side failed: nothing more can flow either way.
        closeQuietly(from);
        closeQuietly(to);
      }
    }
  }

  static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing is best effort; the relay is over either way
    }
  }
}
