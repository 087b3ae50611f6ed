package dev.umbra.core.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;

/** A connection whose first bytes were already read (for sniffing) and are served again first. */
public final class PrefixedConn implements Conn {
  private final Conn inner;
  private final java.io.ByteArrayInputStream prefix;
  private final InputStream in;

  public PrefixedConn(Conn inner, byte[] prefix, int length) {
    this.inner = inner;
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
    return prefix.available() == 0 ? inner : null;
  }

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return inner.out();
  }

  @Override
  public void shutdownOutput() throws IOException {
    inner.shutdownOutput();
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    inner.setReadTimeout(millis);
  }

  @Override
  public SocketAddress localAddress() {
    return inner.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return inner.remoteAddress();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
