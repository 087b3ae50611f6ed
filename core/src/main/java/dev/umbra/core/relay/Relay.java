package dev.umbra.core.relay;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.PrefixedConn;
import dev.umbra.core.net.SocketConn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pumps bytes both ways between a client and a remote connection until both directions end, with
 * half-close propagated, then closes both.
 *
 * <p>Each direction starts with a small buffer, so an idle connection costs little memory, and
 * moves to a large pooled one once data flows in bulk. Between two plain TCP sockets the copy goes
 * through direct buffers and the channels, saving a copy per side.
 */
public final class Relay {
  private static final int SMALL = 2 * 1024;

  /**
   * Bulk buffer, streams and pooled direct (128 KiB measured no cheaper per GB, at twice the
   * memory).
   */
  static final int LARGE = 64 * 1024;

  /** Direct buffers kept for reuse; beyond this many, extras are left to the GC. */
  private static final int POOL_LIMIT = 256;

  private static final ConcurrentLinkedQueue<ByteBuffer> POOL = new ConcurrentLinkedQueue<>();

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
    Runnable up = direction(client, remote, options.counters(), true, idleNanos, lastActivity);
    Runnable down = direction(remote, client, options.counters(), false, idleNanos, lastActivity);
    Thread downThread = Thread.ofVirtual().name("relay-down").start(down);
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

  private static Runnable direction(
      Conn from,
      Conn to,
      List<TrafficCounter> counters,
      boolean up,
      long idleNanos,
      AtomicLong lastActivity) {
    SocketChannel src = channel(from);
    SocketChannel dst = channel(to);
    if (src != null && dst != null && idleNanos == 0) {
      return () -> copyChannels(src, from, dst, to, counters, up);
    }
    return () -> copyStreams(from, to, counters, up, idleNanos, lastActivity);
  }

  private static SocketChannel channel(Conn c) {
    return switch (c) {
      case SocketConn s -> s.socket().getChannel();
      case PrefixedConn p when p.drainedInner() != null -> channel(p.drainedInner());
      default -> null;
    };
  }

  /** Where one direction reports the bytes it moved. */
  @FunctionalInterface
  interface Counting {
    void add(int n);
  }

  private static void count(List<TrafficCounter> counters, boolean up, int n) {
    for (TrafficCounter c : counters) {
      if (up) {
        c.addUp(n);
      } else {
        c.addDown(n);
      }
    }
  }

  private static void copyChannels(
      SocketChannel src,
      Conn from,
      SocketChannel dst,
      Conn to,
      List<TrafficCounter> counters,
      boolean up) {
    ByteBuffer buf = ByteBuffer.allocate(SMALL);
    boolean pooled = false;
    try {
      while (true) {
        int n = src.read(buf);
        if (n < 0) {
          break;
        }
        boolean full = !buf.hasRemaining();
        buf.flip();
        while (buf.hasRemaining()) {
          dst.write(buf);
        }
        count(counters, up, n);
        buf.clear();
        if (full && !pooled) {
          // Bulk transfer: hand the rest to the kernel if we can, else copy with a large buffer.
          if (SpliceCopy.tryRun(src, dst, to, k -> count(counters, up, k))) {
            return;
          }
          buf = take();
          pooled = true;
        }
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    } finally {
      if (pooled) {
        give(buf);
      }
    }
  }

  private static void copyStreams(
      Conn from,
      Conn to,
      List<TrafficCounter> counters,
      boolean up,
      long idleNanos,
      AtomicLong lastActivity) {
    byte[] buf = new byte[SMALL];
    boolean grown = false;
    InputStream in = from.in();
    OutputStream out = to.out();
    try {
      if (idleNanos > 0) {
        from.setReadTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, idleNanos / 2_000_000L)));
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
        count(counters, up, n);
        if (n == buf.length && !grown) {
          grown = true;
          buf = new byte[bulkSize(out)]; // bulk transfer: a bigger buffer, fewer system calls
        }
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // One side failed: nothing more can flow either way.
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /**
   * The bulk buffer size for writes to {@code out}: {@link #LARGE}, cut down to whole frames when
   * {@code out} frames its input, so that a full read becomes whole frames only.
   */
  static int bulkSize(OutputStream out) {
    if (out instanceof FramedOutput f) {
      int frame = f.framePayload();
      if (frame > 0 && frame <= LARGE) {
        return LARGE / frame * frame;
      }
    }
    return LARGE;
  }

  private static ByteBuffer take() {
    ByteBuffer b = POOL.poll();
    return b != null ? b : ByteBuffer.allocateDirect(LARGE);
  }

  private static void give(ByteBuffer b) {
    b.clear();
    if (POOL.size() < POOL_LIMIT) {
      POOL.offer(b);
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
