package dev.umbra.core.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;

/** A {@link Conn} over a connected TCP socket. */
public final class SocketConn implements Conn {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public SocketConn(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  public Socket socket() {
    return socket;
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
    if (!socket.isClosed() && !socket.isOutputShutdown()) {
      socket.shutdownOutput();
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

  @Override
  public String toString() {
    return "tcp " + socket.getLocalSocketAddress() + " <-> " + socket.getRemoteSocketAddress();
  }
}
