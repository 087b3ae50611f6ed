package dev.umbra.transport;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;

/**
 * A connection whose byte streams are layered over a carrier (a protocol's framing or a
 * transport's): reads and writes go through the given streams, everything else to the carrier.
 */
public final class StreamConn implements Conn {
  /** What half-closing the stream means for its framing (an end marker, a close frame). */
  @FunctionalInterface
  public interface Shutdown {
    void run() throws IOException;
  }

  private final Conn carrier;
  private final InputStream in;
  private final OutputStream out;
  private final Shutdown shutdown;

  public StreamConn(Conn carrier, InputStream in, OutputStream out, Shutdown shutdown) {
    this.carrier = carrier;
    this.in = in;
    this.out = out;
    this.shutdown = shutdown;
  }

  /** Half-close flushes {@code out} and half-closes the carrier. */
  public StreamConn(Conn carrier, InputStream in, OutputStream out) {
    this(
        carrier,
        in,
        out,
        () -> {
          out.flush();
          carrier.shutdownOutput();
        });
  }

  public Conn carrier() {
    return carrier;
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
    shutdown.run();
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
    return "stream over " + carrier;
  }
}
