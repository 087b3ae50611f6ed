package dev.umbra.core.relay;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/**
 * Pumps bytes both ways between a client and a remote connection until both directions end, with
 * half-close propagated, then closes both.
 */
public final class Relay {
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
    Thread down =
        Thread.ofVirtual()
            .name("relay-down")
            .start(() -> copy(remote.in(), client, options.counters(), false));
    try {
      copy(client.in(), remote, options.counters(), true);
      down.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(client);
      closeQuietly(remote);
    }
  }

  private static void copy(InputStream in, Conn to, List<TrafficCounter> counters, boolean up) {
    byte[] buf = new byte[32 * 1024];
    OutputStream out = to.out();
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
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
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Conn c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing is best effort; the relay is over either way
    }
  }
}
