package dev.umbra.tor.circuit;

import dev.umbra.tor.cell.RelayCell;
import dev.umbra.tor.cell.TorProtocolException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streams we ended (sent END) whose late cells may still be in flight, as C tor's "half edges":
 * DATA up to what the stream's window still allowed (any amount under congestion control, which has
 * no stream windows), SENDMEs we had not yet received, a CONNECTED or RESOLVED we were still
 * waiting for, and the exit's own END, which retires the record. Anything else for such a stream is
 * a protocol violation. At most {@link #MAX} records per circuit; the oldest is forgotten first.
 * Not thread-safe: the circuit guards it.
 */
final class HalfClosedStreams {
  static final int MAX = 1024;

  private static final class Half {
    int dataLeft; // -1: unlimited (congestion control)
    int sendmesLeft;
    boolean connectPending;
    boolean resolvePending;
  }

  private final Map<Integer, Half> halves = new LinkedHashMap<>();

  /**
   * Records a stream we just ended. {@code deliverWindow} is how many more DATA cells the exit may
   * still send (-1 when unlimited); {@code packageWindowMissing} how many stream SENDMEs it may
   * still owe us.
   */
  void add(
      int streamId,
      int deliverWindow,
      int sendmesOwed,
      boolean connectPending,
      boolean resolvePending) {
    Half h = new Half();
    h.dataLeft = deliverWindow;
    h.sendmesLeft = sendmesOwed;
    h.connectPending = connectPending;
    h.resolvePending = resolvePending;
    halves.put(streamId, h);
    if (halves.size() > MAX) {
      Iterator<Integer> it = halves.keySet().iterator();
      it.next();
      it.remove();
    }
  }

  boolean contains(int streamId) {
    return halves.containsKey(streamId);
  }

  int size() {
    return halves.size();
  }

  /**
   * Absorbs a late cell for a half-closed stream. Returns false when the stream is not half-closed
   * (the caller decides), throws when the cell is not one the exit may still send.
   */
  boolean absorb(RelayCell rc) throws TorProtocolException {
    Half h = halves.get(rc.streamId());
    if (h == null) {
      return false;
    }
    switch (rc.command()) {
      case RelayCell.DATA -> {
        if (h.dataLeft == 0) {
          throw new TorProtocolException(
              "DATA beyond the window of half-closed stream " + rc.streamId());
        }
        if (h.dataLeft > 0) {
          h.dataLeft--;
        }
      }
      case RelayCell.SENDME -> {
        if (h.sendmesLeft == 0) {
          throw new TorProtocolException(
              "unexpected SENDME on half-closed stream " + rc.streamId());
        }
        h.sendmesLeft--;
      }
      case RelayCell.CONNECTED -> {
        if (!h.connectPending) {
          throw new TorProtocolException(
              "unexpected CONNECTED on half-closed stream " + rc.streamId());
        }
        h.connectPending = false;
      }
      case RelayCell.RESOLVED -> {
        if (!h.resolvePending) {
          throw new TorProtocolException(
              "unexpected RESOLVED on half-closed stream " + rc.streamId());
        }
        halves.remove(rc.streamId());
      }
      case RelayCell.END -> halves.remove(rc.streamId());
      case RelayCell.DROP, RelayCell.XON, RelayCell.XOFF -> {}
      default ->
          throw new TorProtocolException(
              "relay command " + rc.command() + " on half-closed stream " + rc.streamId());
    }
    return true;
  }
}
