package dev.umbra.transport.h2;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A Jetty {@link org.eclipse.jetty.io.EndPoint} over one of our blocking {@link Conn}s (TCP, TLS, a
 * Tor stream…), so Jetty's HTTP/2 session runs over any carrier. A reader virtual thread fills on
 * demand; a writer virtual thread drains a bounded queue, so Jetty never blocks in {@code flush} (a
 * blocking flush on the parsing thread could deadlock two peers that both write).
 */
final class ConnEndPoint extends AbstractEndPoint {
  private static final int READ_BUFFER = 32 * 1024;
  private static final int WRITE_QUEUE_LIMIT = 256 * 1024;

  private final Conn conn;
  private final InputStream in;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readWanted = lock.newCondition();
  private final Condition writable = lock.newCondition();
  private final Condition writerFinished = lock.newCondition();
  private Thread reader;
  private Thread writer;
  private volatile Thread closer;
  private final java.util.concurrent.CountDownLatch closed =
      new java.util.concurrent.CountDownLatch(1);
  private final byte[] readBuffer = new byte[READ_BUFFER];
  private int readStart;
  private int readEnd;
  private boolean readEof;
  private boolean readInterest;
  private final ArrayDeque<byte[]> writeQueue = new ArrayDeque<>();
  private int queued;
  private boolean writeBlocked;

  /** Size of the write {@link #flush} last refused: Jetty retries it whole once resumed. */
  private int refused;

  private boolean outputShut;
  private boolean closing;
  private boolean writerDone;
  private volatile long lastRead = System.nanoTime();

  /** The per-connection session listener a server factory picks up. */
  volatile Object attachment;

  /** {@code prefix} bytes (already read from {@code conn} while sniffing) are delivered first. */
  ConnEndPoint(Scheduler scheduler, Conn conn, byte[] prefix) {
    super(scheduler);
    this.conn = conn;
    this.in = conn.in();
    if (prefix != null && prefix.length > 0) {
      System.arraycopy(prefix, 0, readBuffer, 0, prefix.length);
      readEnd = prefix.length;
    }
  }

  /** Starts the reader and writer threads; call after the Jetty connection is attached. */
  void startIo(String name) {
    reader = Thread.ofVirtual().name(name + "-read").start(this::readLoop);
    writer = Thread.ofVirtual().name(name + "-write").start(this::writeLoop);
  }

  /**
   * Waits until the reader, writer and closer threads have ended (after {@link #close}), at most
   * {@code max}; false if one still runs.
   */
  boolean awaitStopped(java.time.Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    for (Thread t : new Thread[] {writer, closer, reader}) {
      if (t != null && t != Thread.currentThread()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean isEof() {
    lock.lock();
    try {
      return readEof && readStart >= readEnd;
    } finally {
      lock.unlock();
    }
  }

  long nanosSinceLastRead() {
    return System.nanoTime() - lastRead;
  }

  private void readLoop() {
    try {
      while (true) {
        boolean read;
        lock.lock();
        try {
          while (!readInterest && !closing) {
            readWanted.await();
          }
          if (closing) {
            return;
          }
          readInterest = false;
          read = readStart >= readEnd && !readEof;
        } finally {
          lock.unlock();
        }
        if (read) {
          int n;
          try {
            n = in.read(readBuffer, 0, readBuffer.length);
          } catch (IOException e) {
            n = -1;
          }
          lastRead = System.nanoTime();
          lock.lock();
          try {
            if (n < 0) {
              readEof = true;
            } else {
              readStart = 0;
              readEnd = n;
            }
          } finally {
            lock.unlock();
          }
        }
        getFillInterest().fillable();
        if (read && isEof()) {
          // HTTP/2 has no half-closed connection: the carrier's end is the session's end, whether
          // or not Jetty asks to read again
          close();
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLoop() {
    try {
      while (true) {
        byte[] chunk;
        boolean resume = false;
        lock.lock();
        try {
          while (writeQueue.isEmpty() && !closing && !outputShut) {
            writable.await();
          }
          chunk = writeQueue.poll();
          if (chunk == null) {
            break;
          }
          queued -= chunk.length;
          if (writeBlocked && fits(refused)) {
            writeBlocked = false;
            resume = true;
          }
        } finally {
          lock.unlock();
        }
        conn.out().write(chunk);
        boolean idle;
        lock.lock();
        try {
          idle = writeQueue.isEmpty();
        } finally {
          lock.unlock();
        }
        if (idle) {
          conn.out().flush();
        }
        if (resume) {
          getWriteFlusher().completeWrite();
        }
      }
      conn.out().flush();
      boolean close;
      lock.lock();
      try {
        close = closing;
      } finally {
        lock.unlock();
      }
      if (close) {
        conn.close();
      } else {
        conn.shutdownOutput();
      }
    } catch (IOException e) {
      closeQuietly();
      getWriteFlusher().onFail(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly();
    } finally {
      lock.lock();
      try {
        writerDone = true;
        writerFinished.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void closeQuietly() {
    try {
      conn.close();
    } catch (IOException ignored) {
      // already failing
    }
  }

  @Override
  public int fill(ByteBuffer buffer) throws IOException {
    lock.lock();
    try {
      if (readStart < readEnd) {
        int pos = BufferUtil.flipToFill(buffer);
        int n = Math.min(readEnd - readStart, buffer.remaining());
        buffer.put(readBuffer, readStart, n);
        BufferUtil.flipToFlush(buffer, pos);
        readStart += n;
        notIdle();
        return n;
      }
      if (readEof) {
        shutdownInput();
        return -1;
      }
      return 0;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean flush(ByteBuffer... buffers) throws IOException {
    int total = 0;
    for (ByteBuffer b : buffers) {
      total += b == null ? 0 : b.remaining();
    }
    lock.lock();
    try {
      if (closing || outputShut) {
        throw new IOException("HTTP/2 carrier closed");
      }
      if (!fits(total)) {
        refused = total;
        return false;
      }
      if (total > 0) {
        byte[] chunk = new byte[total];
        int off = 0;
        for (ByteBuffer b : buffers) {
          if (b != null) {
            int n = b.remaining();
            b.get(chunk, off, n);
            off += n;
          }
        }
        writeQueue.add(chunk);
        queued += total;
        writable.signal();
        notIdle();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected void onIncompleteFlush() {
    boolean resume;
    lock.lock();
    try {
      // resume only when the refused write now fits: resuming earlier makes Jetty retry, fail
      // and resume again in a loop that spins as long as the carrier is blocked
      resume = fits(refused);
      writeBlocked = !resume;
    } finally {
      lock.unlock();
    }
    if (resume) {
      Thread.ofVirtual().start(() -> getWriteFlusher().completeWrite());
    }
  }

  /** Whether a write of {@code total} bytes may be queued now (always when the queue is empty). */
  private boolean fits(int total) {
    return queued == 0 || queued + total <= WRITE_QUEUE_LIMIT;
  }

  @Override
  protected void needsFillInterest() {
    lock.lock();
    try {
      readInterest = true;
      readWanted.signal();
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected void doShutdownOutput() {
    lock.lock();
    try {
      outputShut = true;
      writable.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code millis} for this endpoint to be closed; true once it is. */
  boolean awaitClosed(long millis) throws InterruptedException {
    return closed.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  @Override
  protected void doClose() {
    closed.countDown();
    boolean writerGone;
    lock.lock();
    try {
      closing = true;
      writerGone = writerDone;
      writable.signal();
      readWanted.signal();
    } finally {
      lock.unlock();
    }
    if (writerGone) {
      closeQuietly();
      return;
    }
    // the writer flushes what Jetty queued (a GOAWAY) and closes; a stuck peer gets a hard close
    closer =
        Thread.ofVirtual()
            .start(() -> {
              lock.lock();
              try {
                long left = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
                while (!writerDone && left > 0) {
                  left = writerFinished.awaitNanos(left);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                lock.unlock();
              }
              closeQuietly();
            });
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return conn.localAddress();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return conn.remoteAddress();
  }

  @Override
  public Object getTransport() {
    return conn;
  }
}
