package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.relay.FramedOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Client-side streams with the request header sent lazily: it rides together with the first
 * payload, so the first packet looks like any other. If the application reads before writing (a
 * server-speaks-first protocol), the header goes without payload after a short wait.
 */
final class ClientSession {
  /** How long a read waits for the first write before sending the header alone. */
  static final long HEADER_WAIT_MILLIS = 100;

  /** Sends the request header with the first payload (possibly empty), once. */
  @FunctionalInterface
  interface Starter {
    void start(byte[] payload, int off, int len) throws IOException;
  }

  private final Starter starter;
  private final OutputStream after;
  private final Object lock = new Object();

  /** A thread has taken the header (guarded by lock). */
  private boolean claimed;

  /** The header is written: from here on, writes go straight to {@code after} without the lock. */
  private volatile boolean started;

  /**
   * @param starter writes the header and the first payload
   * @param after where later plaintext goes (sealing stream, or the carrier for none)
   */
  ClientSession(Starter starter, OutputStream after) {
    this.starter = starter;
    this.after = after;
  }

  /** The AEAD and none form: the header is plaintext put in front of the first payload. */
  static ClientSession prefixed(OutputStream sealed, byte[] header) {
    return new ClientSession(
        (b, off, len) -> {
          byte[] joined = new byte[header.length + len];
          System.arraycopy(header, 0, joined, 0, header.length);
          System.arraycopy(b, off, joined, header.length, len);
          sealed.write(joined);
          sealed.flush();
        },
        sealed);
  }

  OutputStream out() {
    return new Out();
  }

  /** The plaintext stream; framed like the sealing stream behind it, for the relay's read size. */
  private final class Out extends OutputStream implements FramedOutput {
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (!started) {
        synchronized (lock) {
          if (!claimed) {
            claimed = true;
            try {
              starter.start(b, off, len);
            } finally {
              started = true;
              lock.notifyAll();
            }
            return;
          }
        }
      }
      after.write(b, off, len);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
      sendHeaderNow();
      after.flush();
    }

    @Override
    public int framePayload() {
      return after instanceof FramedOutput f ? f.framePayload() : 0;
    }
  }

  /** Wraps the response stream so that a read first makes sure the request went out. */
  InputStream in(InputStream response) {
    return new InputStream() {
      private boolean checked;

      private void before() throws IOException {
        if (!checked) {
          checked = true;
          awaitHeader();
        }
      }

      @Override
      public int read() throws IOException {
        before();
        return response.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        before();
        return response.read(b, off, len);
      }
    };
  }

  private void awaitHeader() throws IOException {
    synchronized (lock) {
      long deadline = System.nanoTime() + HEADER_WAIT_MILLIS * 1_000_000L;
      long left;
      while (!started && (left = deadline - System.nanoTime()) > 0) {
        try {
          lock.wait(Math.max(1, left / 1_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
      }
    }
    sendHeaderNow();
  }

  /** Sends the header without payload if no write took it yet. */
  void sendHeaderNow() throws IOException {
    synchronized (lock) {
      if (!claimed) {
        claimed = true;
        try {
          starter.start(new byte[0], 0, 0);
        } finally {
          started = true;
          lock.notifyAll();
        }
      }
    }
  }
}
