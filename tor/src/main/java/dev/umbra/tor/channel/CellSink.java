package dev.umbra.tor.channel;

import dev.umbra.tor.cell.Cell;
import java.io.IOException;

/** Receives the cells a channel reads for one circuit (on the channel's reader thread). */
public interface CellSink {
  void deliver(Cell cell);

  /** The channel is gone; the circuit must fail. */
  void channelClosed(IOException cause);
}
