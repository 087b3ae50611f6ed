package dev.umbra.tor.circuit;

import dev.umbra.tor.cell.RelayCell;
import dev.umbra.tor.cell.TorProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams of one circuit or one conflux set: stream IDs, BEGIN/BEGIN_DIR/RESOLVE, dispatch of
 * incoming stream messages and the half-closed records of streams we ended.
 */
final class StreamTable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamTable.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StreamHost host;
  private final Map<Integer, TorStream> streams = new ConcurrentHashMap<>();
  private final HalfClosedStreams halfClosed = new HalfClosedStreams();

  StreamTable(StreamHost host) {
    this.host = host;
  }

  TorStream newStream(int xoffLimit) throws IOException {
    for (int i = 0; i < 1000; i++) {
      int id = 1 + RANDOM.nextInt(0xFFFF);
      synchronized (halfClosed) {
        if (halfClosed.contains(id)) {
          continue; // late cells of the old stream would land on the new one
        }
        TorStream s = new TorStream(host, id, xoffLimit);
        if (streams.putIfAbsent(id, s) == null) {
          return s;
        }
      }
    }
    throw new IOException("no free stream ID on the circuit");
  }

  /** Sends {@code command} (BEGIN or BEGIN_DIR) on a new stream and waits for CONNECTED. */
  TorStream open(int command, byte[] body, int xoffLimit, Duration timeout) throws IOException {
    TorStream s = newStream(xoffLimit);
    int id = s.streamId();
    try {
      host.sendStream(new RelayCell(command, id, body), true);
      s.awaitConnected(timeout);
      return s;
    } catch (IOException | RuntimeException e) {
      streams.remove(id);
      throw e;
    }
  }

  /** Asks the last hop to resolve {@code host} (RESOLVE / RESOLVED); no stream is opened. */
  List<InetAddress> resolve(String name, int xoffLimit, Duration timeout) throws IOException {
    if (name.isEmpty() || name.length() > 255 || name.indexOf('\0') >= 0) {
      throw new IOException("bad host name to resolve");
    }
    TorStream s = newStream(xoffLimit);
    int id = s.streamId();
    s.expectResolved();
    byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
    byte[] body = Arrays.copyOf(bytes, bytes.length + 1);
    try {
      host.sendStream(new RelayCell(RelayCell.RESOLVE, id, body), true);
      return dev.umbra.tor.cell.Resolved.addresses(s.awaitResolved(timeout), name);
    } catch (java.net.SocketTimeoutException e) {
      // The answer may still come: absorb it instead of treating it as a stray cell.
      synchronized (halfClosed) {
        if (streams.remove(id) != null) {
          halfClosed.add(id, 0, 0, false, true);
        }
      }
      throw e;
    } finally {
      streams.remove(id);
    }
  }

  /** Hands a stream message to its stream, or to the half-closed record of a stream we ended. */
  void dispatch(RelayCell rc) throws TorProtocolException {
    TorStream s = streams.get(rc.streamId());
    if (s == null) {
      // Cells for a stream we ended may still be in flight: the half-closed record absorbs
      // what the exit may still send; a cell for a stream we never opened is a violation.
      synchronized (halfClosed) {
        if (!halfClosed.absorb(rc)) {
          throw new TorProtocolException(
              "relay command " + rc.command() + " for unknown stream " + rc.streamId());
        }
      }
      LOG.debug(
          "absorbed late relay cell {} on half-closed stream {}", rc.command(), rc.streamId());
      return;
    }
    s.onRelay(rc);
  }

  void streamClosed(int streamId) {
    streams.remove(streamId);
  }

  /**
   * A stream we end with END: forget it, and keep a half-closed record so that its late cells do
   * not look like a misbehaving exit.
   */
  void streamEnded(int streamId, int deliverWindow, int sendmesOwed, boolean connectPending) {
    synchronized (halfClosed) {
      if (streams.remove(streamId) != null) {
        halfClosed.add(streamId, deliverWindow, sendmesOwed, connectPending, false);
      }
    }
  }

  int halfClosedCount() {
    synchronized (halfClosed) {
      return halfClosed.size();
    }
  }

  int size() {
    return streams.size();
  }

  /** Fails every stream (the circuit or set is gone). */
  void failAll(IOException cause) {
    for (TorStream s : streams.values()) {
      s.onCircuitClosed(cause);
    }
  }

  /** Used by the conflux code to check that a circuit joining a set carries no streams. */
  boolean isEmpty() {
    return streams.isEmpty() && halfClosedCount() == 0;
  }
}
