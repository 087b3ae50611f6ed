package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;

/** A Shadowsocks session as a plain {@link Conn}: plaintext streams over the carrier. */
final class SessionConn implements Conn {
  private final Conn carrier;
  private final InputStream in;
  private final OutputStream out;

  SessionConn(Conn carrier, InputStream in, OutputStream out) {
    this.carrier = carrier;
    this.in = in;
    this.out = out;
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
    out.flush();
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

  @Override
  public String toString() {
    return "shadowsocks over " + carrier;
  }
}
