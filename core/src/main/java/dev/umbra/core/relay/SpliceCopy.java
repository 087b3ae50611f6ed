package dev.umbra.core.relay;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;

/**
 * One direction of a relay between two TCP sockets moved inside the kernel with {@code splice(2)}
 * through a pipe: the bytes never reach the JVM, which roughly halves the CPU a bulk transfer
 * costs.
 *
 * <p>It works on duplicates of the sockets' descriptors, so a concurrent close of a channel can
 * never make us touch a reused descriptor number; a closed channel is noticed within {@link
 * #POLL_MILLIS}. Splice calls block their carrier, so each direction runs on its own platform
 * thread, and only {@link #MAX_ACTIVE} of them at a time: beyond that, bulk relays copy as before.
 */
final class SpliceCopy {
  private static final long CHUNK = 1 << 20;
  private static final int POLL_MILLIS = 500;
  private static final int MAX_ACTIVE = 256;
  private static final Semaphore SLOTS = new Semaphore(MAX_ACTIVE);
  private static final java.util.concurrent.atomic.LongAdder SPLICED =
      new java.util.concurrent.atomic.LongAdder();

  private SpliceCopy() {}

  /**
   * Moves the rest of {@code src} to {@code dst} on a platform thread and waits for it, if splice
   * is available and a slot is free; returns false (having done nothing) otherwise.
   */
  static boolean tryRun(SocketChannel src, SocketChannel dst, Conn to, Relay.Counting counting)
      throws IOException {
    LinuxSplice sys = LinuxSplice.get().orElse(null);
    if (sys == null || !SLOTS.tryAcquire()) {
      return false;
    }
    IOException[] failure = new IOException[1];
    try {
      Thread t =
          Thread.ofPlatform()
              .daemon()
              .name("splice")
              .start(() -> {
                try {
                  copy(sys, src, dst, counting);
                } catch (IOException e) {
                  failure[0] = e;
                }
              });
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      SLOTS.release();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    to.shutdownOutput();
    return true;
  }

  /** Bytes moved by splice since start, for tests and diagnostics. */
  static long splicedBytes() {
    return SPLICED.sum();
  }

  private static void copy(
      LinuxSplice sys, SocketChannel src, SocketChannel dst, Relay.Counting counting)
      throws IOException {
    int in = sys.dupOf(src);
    int out = -1;
    int[] pipe = null;
    try (Arena arena = Arena.ofConfined()) {
      out = sys.dupOf(dst);
      pipe = sys.pipe();
      sys.nonBlocking(in);
      sys.nonBlocking(out);
      MemorySegment err = arena.allocate(sys.errnoSize());
      MemorySegment pfd = LinuxSplice.pollfd(arena);
      while (true) {
        if (!src.isOpen() || !dst.isOpen()) {
          // closed from outside (a tracker, a group switch): our descriptors would keep it alive
          throw new IOException("connection closed");
        }
        long n = sys.splice(in, pipe[1], CHUNK, err);
        if (n == 0) {
          return; // end of stream
        } else if (n == -LinuxSplice.EAGAIN) {
          await(sys, in, LinuxSplice.POLLIN, src, pfd, err);
          continue;
        } else if (n == -LinuxSplice.EINTR) {
          continue;
        } else if (n < 0) {
          throw new IOException("splice from socket failed: errno " + -n);
        }
        for (long pending = n; pending > 0; ) {
          long m = sys.splice(pipe[0], out, pending, err);
          if (m > 0) {
            pending -= m;
            counting.add((int) m);
            SPLICED.add(m);
          } else if (m == -LinuxSplice.EAGAIN) {
            await(sys, out, LinuxSplice.POLLOUT, dst, pfd, err);
          } else if (m != -LinuxSplice.EINTR) {
            throw new IOException("splice to socket failed: errno " + -m);
          }
        }
      }
    } catch (IOException e) {
      // Wake the other direction at once: shutdown acts on the socket, not on our descriptor.
      sys.shutdownBoth(in);
      if (out >= 0) {
        sys.shutdownBoth(out);
      }
      throw e;
    } finally {
      sys.close(in);
      if (out >= 0) {
        sys.close(out);
      }
      if (pipe != null) {
        sys.close(pipe[0]);
        sys.close(pipe[1]);
      }
    }
  }

  private static void await(
      LinuxSplice sys,
      int fd,
      short events,
      SocketChannel channel,
      MemorySegment pfd,
      MemorySegment err)
      throws IOException {
    while (!sys.await(fd, events, POLL_MILLIS, pfd, err)) {
      if (!channel.isOpen()) {
        throw new IOException("connection closed");
      }
    }
  }
}
