package dev.umbra.core.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.SocketAddress;

/** A connection whose first bytes were already read (for sniffing) and are served again first. */
public final class PrefixedConn implements Conn {
  private final Conn inner;
  private final java.io.ByteArrayInputStream prefix;
  private final InputStream in;

  public PrefixedConn(Conn inner, byte[] prefix, int length) {
    this.inner = inner;
    this.prefix = new java.io.ByteArrayInputStream(prefix, 0, length);
    this.in = length == 0 ? inner.in() : new SequenceInputStream(this.prefix, inner.in());
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
