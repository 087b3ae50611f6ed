package dev.umbra.tls;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import javax.net.ssl.SSLSocket;

/** A TLS connection layered over a TCP socket; shutdownOutput sends close_notify (TLS 1.3). */
public final class TlsConn implements Conn {
  private final SSLSocket socket;
  private final InputStream in;
  private final OutputStream out;

  TlsConn(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** The protocol agreed by ALPN, or "" when none. */
  public String applicationProtocol() {
    String p = socket.getApplicationProtocol();
    return p == null ? "" : p;
  }

  public String protocolVersion() {
    return socket.getSession().getProtocol();
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
    if (socket.isClosed() || socket.isOutputShutdown()) {
      return;
    }
    try {
      socket.shutdownOutput();
    } catch (UnsupportedOperationException e) {
      // TLS 1.2 has no half-close: ending our side ends the connection.
      socket.close();
    }
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public SocketAddress localAddress() {
    return socket.getLocalSocketAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return socket.getRemoteSocketAddress();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
