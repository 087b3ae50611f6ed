package dev.umbra.core.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Two in-memory {@link Conn}s joined back to back: what one writes the other reads. Lets an inbound
 * that speaks a protocol itself (plain HTTP forwarding) hand the router a connection.
 */
public final class Pipe {
  private static final int CAPACITY = 64 * 1024;

  /** Each direction starts this small and grows on demand: most pipes carry one short exchange. */
  private static final int INITIAL = 2 * 1024;

  private Pipe() {}

  /** Returns {a, b}: bytes written to a are read from b and vice versa. */
  public static Conn[] create() {
    Buffer ab = new Buffer();
    Buffer ba = new Buffer();
    return new Conn[] {new End(ba, ab), new End(ab, ba)};
  }

  private static final class Buffer {
    byte[] data = new byte[INITIAL];
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    int head;
    int size;
    boolean writerClosed;
    boolean readerClosed;

    int read(byte[] b, int off, int len, long timeoutMillis) throws IOException {
      if (len == 0) {
        return 0;
      }
      lock.lock();
      try {
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        while (size == 0) {
          if (writerClosed) {
            return -1;
          }
          if (readerClosed) {
            throw new IOException("pipe closed");
          }
          if (deadline == 0) {
            changed.await();
          } else {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              throw new java.net.SocketTimeoutException("pipe read timed out");
            }
            changed.awaitNanos(left);
          }
        }
        int n = Math.min(len, size);
        int first = Math.min(n, data.length - head);
        System.arraycopy(data, head, b, off, first);
        System.arraycopy(data, 0, b, off + first, n - first);
        head = (head + n) % data.length;
        size -= n;
        changed.signalAll();
        return n;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      } finally {
        lock.unlock();
      }
    }

    void write(byte[] b, int off, int len) throws IOException {
      lock.lock();
      try {
        while (len > 0) {
          if (writerClosed || readerClosed) {
            throw new IOException("pipe closed");
          }
          if (len > data.length - size && data.length < CAPACITY) {
            grow(
                Math.min(
                    CAPACITY, Math.max(data.length * 2, Integer.highestOneBit(size + len) << 1)));
          }
          while (size == data.length) {
            changed.await();
            if (writerClosed || readerClosed) {
              throw new IOException("pipe closed");
            }
          }
          int n = Math.min(len, data.length - size);
          int tail = (head + size) % data.length;
          int first = Math.min(n, data.length - tail);
          System.arraycopy(b, off, data, tail, first);
          System.arraycopy(b, off + first, data, 0, n - first);
          size += n;
          off += n;
          len -= n;
          changed.signalAll();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      } finally {
        lock.unlock();
      }
    }

    /** Moves the buffered bytes to the front of a larger array. Called with the lock held. */
    private void grow(int capacity) {
      byte[] bigger = new byte[capacity];
      int first = Math.min(size, data.length - head);
      System.arraycopy(data, head, bigger, 0, first);
      System.arraycopy(data, 0, bigger, first, size - first);
      data = bigger;
      head = 0;
    }

    void closeWriter() {
      lock.lock();
      try {
        writerClosed = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void closeReader() {
      lock.lock();
      try {
        readerClosed = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private static final class End implements Conn {
    private final Buffer incoming;
    private final Buffer outgoing;
    private volatile int readTimeout;
    private final InputStream in =
        new InputStream() {
          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return incoming.read(b, off, len, readTimeout);
          }
        };
    private final OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            outgoing.write(b, off, len);
          }
        };

    End(Buffer incoming, Buffer outgoing) {
      this.incoming = incoming;
      this.outgoing = outgoing;
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
    public void shutdownOutput() {
      outgoing.closeWriter();
    }

    @Override
    public void setReadTimeout(int millis) {
      readTimeout = millis;
    }

    @Override
    public void close() {
      outgoing.closeWriter();
      incoming.closeReader();
    }
  }
}
