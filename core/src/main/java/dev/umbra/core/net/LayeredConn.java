package dev.umbra.core.net;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A connection layered over a carrier (a protocol's framing, an obfuscation, a counter): subclasses
 * give the byte streams; timeouts, addresses, half-close and close go to the carrier unless a
 * subclass says otherwise.
 */
public abstract class LayeredConn implements Conn {
  protected final Conn carrier;

  protected LayeredConn(Conn carrier) {
    this.carrier = carrier;
  }

  public final Conn carrier() {
    return carrier;
  }

  @Override
  public void shutdownOutput() throws IOException {
    carrier.shutdownOutput();
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    carrier.setReadTimeout(millis);
  }

  @Override
  public SocketAddress localAddress() {
    return carrier.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return carrier.remoteAddress();
  }

  @Override
  public void close() throws IOException {
    carrier.close();
  }
}
