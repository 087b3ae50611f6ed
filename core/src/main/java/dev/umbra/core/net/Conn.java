package dev.umbra.core.net;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;

/**
 * An ordered, reliable byte stream with half-close: a TCP socket, a proxied stream, a Tor stream, a
 * stream inside a tunnel. Reads and writes block; each direction is used by at most one thread at a
 * time.
 */
public interface Conn extends Closeable {

  InputStream in();

  OutputStream out();

  /** Half-close: no more bytes will be written; the peer sees end of stream. */
  void shutdownOutput() throws IOException;

  /** Sets the read timeout in milliseconds (0 = none) where the carrier supports it. */
  default void setReadTimeout(int millis) throws IOException {}

  /** Local address of the underlying carrier, or null if it has none. */
  default SocketAddress localAddress() {
    return null;
  }

  /** Remote address of the underlying carrier, or null if it has none. */
  default SocketAddress remoteAddress() {
    return null;
  }

  /** Closes both directions and releases resources. Idempotent. */
  @Override
  void close() throws IOException;
}
