package dev.umbra.core.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A connection whose first bytes were already read (for sniffing) and are served again first. */
public final class PrefixedConn extends LayeredConn {
  private final java.io.ByteArrayInputStream prefix;
  private final InputStream in;

  public PrefixedConn(Conn inner, byte[] prefix, int length) {
    super(inner);
    this.prefix = new java.io.ByteArrayInputStream(prefix, 0, length);
    InputStream rest = inner.in();
    this.in =
        length == 0
            ? rest
            : new InputStream() {
              // Not SequenceInputStream: at the end it closes the inner stream, and closing a
              // socket's stream closes the socket while the other direction still writes to it.
              @Override
              public int read() throws IOException {
                int b = PrefixedConn.this.prefix.read();
                return b >= 0 ? b : rest.read();
              }

              @Override
              public int read(byte[] b, int off, int len) throws IOException {
                int n = PrefixedConn.this.prefix.read(b, off, len);
                return n > 0 || len == 0 ? n : rest.read(b, off, len);
              }

              @Override
              public int available() throws IOException {
                return PrefixedConn.this.prefix.available() + rest.available();
              }
            };
  }

  /**
   * The connection underneath once every prefix byte has been read (null before), so a relay can
   * use its socket directly.
   */
  public Conn drainedInner() {
    return prefix.available() == 0 ? carrier : null;
  }

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return carrier.out();
  }
}
