package dev.umbra.tor.circuit;

import dev.umbra.tor.cell.RelayCell;
import java.io.IOException;
import java.time.Duration;

/**
 * What a {@link TorStream} sends through: one circuit, or a conflux set that spreads the stream's
 * cells over its legs.
 */
interface StreamHost {
  /** Sends a stream message that is not DATA (BEGIN, END, XON/XOFF, stream SENDME, RESOLVE). */
  void sendStream(RelayCell rc, boolean flush) throws IOException;

  /**
   * Sends one DATA message, waiting (at most {@code windowWait}) for room in a congestion or
   * package window; {@code flush} false lets the next cells share a TLS record.
   */
  void sendData(RelayCell rc, boolean flush, Duration windowWait) throws IOException;

  /** Writes out cells still buffered in the channel(s). */
  void flushChannel() throws IOException;

  boolean isOpen();

  StreamTable streams();

  /** The circuit to report on (a set's first leg). */
  Circuit primary();
}
