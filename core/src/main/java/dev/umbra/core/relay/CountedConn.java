package dev.umbra.core.relay;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.LayeredConn;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A remote connection handed to an inbound that speaks over it itself (plain HTTP forwarding): what
 * the inbound writes counts as upload and what it reads as download, and the connection stays in
 * the tracker until closed, like a relayed one.
 */
public final class CountedConn extends LayeredConn {
  private final Closeable tracked;
  private final InputStream in;
  private final OutputStream out;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Wraps {@code remote}; {@code tracked} is released on close. */
  public CountedConn(Conn remote, TrafficCounter counter, Closeable tracked) {
    super(remote);
    this.tracked = tracked;
    this.in =
        new FilterInputStream(remote.in()) {
          @Override
          public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
              counter.addDown(1);
            }
            return b;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
              counter.addDown(n);
            }
            return n;
          }
        };
    this.out =
        new FilterOutputStream(remote.out()) {
          @Override
          public void write(int b) throws IOException {
            super.out.write(b);
            counter.addUp(1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            super.out.write(b, off, len); // FilterOutputStream's default writes byte by byte
            counter.addUp(len);
          }
        };
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
  public void close() throws IOException {
    if (closed.compareAndSet(false, true)) {
      try {
        carrier.close();
      } finally {
        tracked.close();
      }
    }
  }
}
