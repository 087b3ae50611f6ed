package dev.umbra.transport;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.LayeredConn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A connection whose byte streams are layered over a carrier (a protocol's framing or a
 * transport's): reads and writes go through the given streams, everything else to the carrier.
 */
public final class StreamConn extends LayeredConn {
  /** What half-closing the stream means for its framing (an end marker, a close frame). */
  @FunctionalInterface
  public interface Shutdown {
    void run() throws IOException;
  }

  private final InputStream in;
  private final OutputStream out;
  private final Shutdown shutdown;

  public StreamConn(Conn carrier, InputStream in, OutputStream out, Shutdown shutdown) {
    super(carrier);
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
  public String toString() {
    return "stream over " + carrier;
  }
}
