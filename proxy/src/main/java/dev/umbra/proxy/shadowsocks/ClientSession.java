package dev.umbra.proxy.shadowsocks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Client-side streams with the request header sent lazily: it rides in the first chunk together
 * with the first payload, so the first packet looks like any other. If the application reads before
 * writing (a server-speaks-first protocol), the header goes alone after a short wait.
 */
final class ClientSession {
  /** How long a read waits for the first write before sending the header alone. */
  static final long HEADER_WAIT_MILLIS = 100;

  private final OutputStream sealed;
  private final Object lock = new Object();
  private byte[] header;

  /**
   * @param sealed where plaintext goes (an {@link AeadOutputStream}, or the carrier for none)
   * @param header the plaintext to send before the first payload
   */
  ClientSession(OutputStream sealed, byte[] header) {
    this.sealed = sealed;
    this.header = header;
  }

  OutputStream out() {
    return new OutputStream() {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        byte[] h;
        synchronized (lock) {
          h = header;
          header = null;
          if (h != null) {
            byte[] joined = new byte[h.length + len];
            System.arraycopy(h, 0, joined, 0, h.length);
            System.arraycopy(b, off, joined, h.length, len);
            sealed.write(joined);
            sealed.flush();
            lock.notifyAll();
            return;
          }
        }
        sealed.write(b, off, len);
      }

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void flush() throws IOException {
        sendHeaderNow();
        sealed.flush();
      }
    };
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
      while (header != null && (left = deadline - System.nanoTime()) > 0) {
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

  /** Sends the header on its own if no payload took it yet. */
  void sendHeaderNow() throws IOException {
    synchronized (lock) {
      if (header != null) {
        byte[] h = header;
        header = null;
        sealed.write(h);
        sealed.flush();
        lock.notifyAll();
      }
    }
  }
}
