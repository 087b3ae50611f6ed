package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * The carrier's input with one absolute deadline for the whole handshake: before each read the
 * carrier's timeout is set to the time left, so a slow trickle cannot stretch it.
 */
final class DeadlineInputStream extends InputStream {
  private final Conn conn;
  private final InputStream in;
  private final long deadlineNanos;
  private volatile boolean armed = true;

  DeadlineInputStream(Conn conn, long deadlineNanos) {
    this.conn = conn;
    this.in = conn.in();
    this.deadlineNanos = deadlineNanos;
  }

  /** Handshake done: no more deadline. */
  void disarm() throws IOException {
    armed = false;
    conn.setReadTimeout(0);
  }

  private void arm() throws IOException {
    if (!armed) {
      return;
    }
    long left = (deadlineNanos - System.nanoTime()) / 1_000_000L;
    if (left <= 0) {
      throw new SocketTimeoutException("handshake deadline passed");
    }
    conn.setReadTimeout((int) Math.min(Integer.MAX_VALUE, left));
  }

  @Override
  public int read() throws IOException {
    arm();
    return in.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    arm();
    return in.read(b, off, len);
  }

  /**
   * What every failed handshake does, so that a prober cannot tell failures apart: no answer, keep
   * reading and discarding until the client closes or the deadline passes. Fixed buffer, bounded
   * time.
   */
  void drainUntilDeadline() {
    byte[] sink = new byte[4096];
    try {
      while (read(sink, 0, sink.length) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // deadline passed or the client is gone: either way we close now
    }
  }
}
