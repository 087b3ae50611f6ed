package dev.umbra.proxy.mux;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stream of a multiplexed session, as a {@link Conn}. The session's reader thread {@link
 * #deliver delivers} data into a bounded queue; writes go to the session as frames.
 */
final class MuxStream implements Conn {
  /** What the session does for its streams. */
  interface Sink {
    /** Sends data for the stream, blocking on flow control. */
    void write(MuxStream s, byte[] b, int off, int len) throws IOException;

    /** Half-close: tells the peer the stream sends nothing more. */
    void finish(MuxStream s) throws IOException;

    /** The application read {@code n} bytes (flow control credit). */
    void consumed(MuxStream s, int n) throws IOException;

    /** The stream is closed locally: tell the peer and forget it. */
    void closed(MuxStream s);

    SocketAddress localAddress();

    SocketAddress remoteAddress();
  }

  final int id;
  private final Sink sink;
  private final int queueLimit;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final Condition drained = lock.newCondition();
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private byte[] head;
  private int headPos;
  private int queued;
  private boolean remoteFinished;
  private IOException failure;
  private boolean closed;
  private volatile boolean finished;
  private volatile int readTimeout;
  private final InputStream in = new In();
  private final OutputStream out = new Out();

  MuxStream(int id, Sink sink, int queueLimit) {
    this.id = id;
    this.sink = sink;
    this.queueLimit = queueLimit;
  }

  /**
   * Called by the session reader: queues data. With {@code block} (no flow control in the protocol)
   * waits while the queue is full; without it the caller has checked the window.
   */
  void deliver(byte[] data, boolean block) throws InterruptedIOException {
    lock.lock();
    try {
      while (block && queued >= queueLimit && !closed && failure == null) {
        try {
          drained.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted");
        }
      }
      if (closed || failure != null || remoteFinished) {
        return; // data for a stream we no longer read is dropped
      }
      queue.add(data);
      queued += data.length;
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The peer half-closed: reads end after the queued data. */
  void remoteFinish() {
    lock.lock();
    try {
      remoteFinished = true;
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean remoteFinished() {
    lock.lock();
    try {
      return remoteFinished;
    } finally {
      lock.unlock();
    }
  }

  /** The stream or its session failed: reads and writes fail. */
  void fail(IOException cause) {
    lock.lock();
    try {
      if (failure == null) {
        failure = cause;
      }
      readable.signalAll();
      drained.signalAll();
    } finally {
      lock.unlock();
    }
  }

  IOException failure() {
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }

  boolean isFinished() {
    return finished;
  }

  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n;
      lock.lock();
      try {
        long deadline = readTimeout > 0 ? System.nanoTime() + readTimeout * 1_000_000L : 0;
        while (head == null && queue.isEmpty()) {
          if (closed) {
            throw new IOException("stream closed");
          }
          if (failure != null) {
            throw failure;
          }
          if (remoteFinished) {
            return -1;
          }
          try {
            if (deadline == 0) {
              readable.await();
            } else {
              long left = deadline - System.nanoTime();
              if (left <= 0) {
                throw new SocketTimeoutException("read timed out");
              }
              readable.await(left, TimeUnit.NANOSECONDS);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
          }
        }
        if (head == null) {
          head = queue.poll();
          headPos = 0;
        }
        n = Math.min(len, head.length - headPos);
        System.arraycopy(head, headPos, b, off, n);
        headPos += n;
        if (headPos == head.length) {
          head = null;
        }
        queued -= n;
        drained.signalAll();
      } finally {
        lock.unlock();
      }
      sink.consumed(MuxStream.this, n);
      return n;
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (finished || closed) {
        throw new IOException("stream output is closed");
      }
      IOException f = failure();
      if (f != null) {
        throw f;
      }
      if (len > 0) {
        sink.write(MuxStream.this, b, off, len);
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }
  }

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return out;
  }

  @Override
  public void shutdownOutput() throws IOException {
    synchronized (this) {
      if (finished || closed) {
        return;
      }
      finished = true;
    }
    sink.finish(this);
  }

  @Override
  public void setReadTimeout(int millis) {
    readTimeout = millis;
  }

  @Override
  public SocketAddress localAddress() {
    return sink.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return sink.remoteAddress();
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
      head = null;
      queued = 0;
      readable.signalAll();
      drained.signalAll();
    } finally {
      lock.unlock();
    }
    sink.closed(this);
  }

  boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "mux stream " + id;
  }
}
