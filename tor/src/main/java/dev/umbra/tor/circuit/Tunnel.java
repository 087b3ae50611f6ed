package dev.umbra.tor.circuit;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/** Where exit streams are opened: one circuit, or a conflux set of circuits to the same exit. */
public sealed interface Tunnel extends Closeable permits Circuit, ConfluxSet {
  /** Opens a stream to {@code host:port} at the exit (BEGIN, then CONNECTED or END). */
  TorStream openStream(String host, int port, Duration timeout) throws IOException;

  /** Asks the exit to resolve {@code host} (RESOLVE / RESOLVED). */
  List<InetAddress> resolve(String host, Duration timeout) throws IOException;

  boolean isOpen();

  int streamCount();

  /** The circuits carrying this tunnel's streams. */
  List<Circuit> circuits();

  @Override
  void close();
}
