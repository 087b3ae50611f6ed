package dev.umbra.tor.circuit;

import dev.umbra.core.net.Conn;
import dev.umbra.tor.cell.RelayCell;
import dev.umbra.tor.cell.StreamMessages;
import dev.umbra.tor.cell.TorProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One Tor stream on a circuit, as a {@link Conn}: DATA cells in and out and END. Flow control is
 * either the fixed stream windows (500 cells, SENDME every 50; a SENDME goes out when the
 * application has consumed 50 cells, so a slow reader throttles the exit) or, on a circuit with
 * congestion control, XON/XOFF (prop 344): XOFF when more than {@code cc_xoff_client} cells wait
 * unread, XON once the application has drained most of them, and our own sending paused while the
 * exit said XOFF.
 *
 * <p>Tor's stream protocol has no half-close: END closes both directions at once. {@link
 * #shutdownOutput()} therefore only flushes what was written; the exit's side stays open, and the
 * stream ends with END on {@link #close()}. After our END, the circuit keeps a half-closed record
 * of the stream that absorbs the exit's late cells.
 */
public final class TorStream implements Conn {
  static final int STREAM_WINDOW = 500;
  static final int STREAM_INCREMENT = 50;
  private static final Duration WINDOW_WAIT = Duration.ofMinutes(2);
  private static final byte[] EOF = new byte[0];

  /** Unread cells beyond which an exit that ignores our XOFF is a protocol violation. */
  static final int XOFF_HARD_LIMIT = 10_000;

  private final StreamHost circuit;
  private final int id;
  // Bounded by the stream window: the relay may not send more than 500 unacknowledged cells.
  private final LinkedBlockingQueue<Object> incoming = new LinkedBlockingQueue<>();
  private final Object connectLock = new Object();
  private final Object windowLock = new Object();
  private final Object flowSendLock = new Object();
  private final In in = new In();
  private final Out out = new Out();
  private volatile boolean connected;
  private volatile boolean resolving;
  private volatile byte[] resolved;
  private volatile IOException failure;
  private volatile boolean ended;
  private volatile boolean closed;
  private volatile int readTimeoutMillis;
  private int packageWindow = STREAM_WINDOW;
  private int deliverWindow = STREAM_WINDOW;
  private int consumedCells;
  // Congestion control (xoffLimit > 0): unread cells, our XOFF state and the exit's.
  private final int xoffLimit;
  private int queuedCells;
  private boolean xoffSent;
  private boolean peerXoff;

  TorStream(StreamHost circuit, int id) {
    this(circuit, id, 0);
  }

  /** {@code xoffLimit} &gt; 0: the circuit runs congestion control, streams use XON/XOFF. */
  TorStream(StreamHost circuit, int id, int xoffLimit) {
    this.circuit = circuit;
    this.id = id;
    this.xoffLimit = xoffLimit;
  }

  private boolean flowControlled() {
    return xoffLimit > 0;
  }

  /** Marks this stream as a RESOLVE request. */
  void expectResolved() {
    resolving = true;
  }

  /** Waits for the RESOLVED body. */
  byte[] awaitResolved(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (connectLock) {
      while (resolved == null && failure == null && !ended) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SocketTimeoutException("no RESOLVED within " + timeout);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(connectLock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while resolving");
        }
      }
    }
    if (resolved == null) {
      IOException f = failure;
      throw f != null ? new IOException(f.getMessage(), f) : new IOException("resolve refused");
    }
    return resolved;
  }

  void awaitConnected(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (connectLock) {
      while (!connected && failure == null && !ended) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          closeQuietly();
          throw new SocketTimeoutException("stream not connected within " + timeout);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(connectLock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while connecting");
        }
      }
    }
    if (!connected) {
      IOException f = failure;
      throw f != null ? new IOException(f.getMessage(), f) : new IOException("stream refused");
    }
  }

  private void onData(RelayCell rc) throws TorProtocolException {
    boolean sendXoff = false;
    synchronized (windowLock) {
      if (flowControlled()) {
        queuedCells++;
        if (queuedCells > XOFF_HARD_LIMIT + xoffLimit) {
          throw new TorProtocolException("exit ignored XOFF on stream " + id);
        }
        if (queuedCells > xoffLimit && !xoffSent) {
          xoffSent = true;
          sendXoff = true;
        }
      } else {
        if (deliverWindow <= 0) {
          throw new TorProtocolException("relay overran the stream window");
        }
        deliverWindow--;
      }
    }
    incoming.add(rc.data());
    if (sendXoff && !closed) {
      sendFlowControl(RelayCell.XOFF, new byte[] {0});
    }
  }

  /** Called on the channel reader thread. */
  void onRelay(RelayCell rc) throws TorProtocolException {
    switch (rc.command()) {
      case RelayCell.CONNECTED -> {
        synchronized (connectLock) {
          connected = true;
          connectLock.notifyAll();
        }
      }
      case RelayCell.DATA -> {
        if (!connected) {
          throw new TorProtocolException("DATA before CONNECTED on stream " + id);
        }
        if (rc.data().length == 0) {
          throw new TorProtocolException("empty DATA message");
        }
        // XOFF is decided and sent under flowSendLock, as is XON: they reach the exit in the order
        // they were decided (an XON overtaking its XOFF would leave the exit stopped for good).
        synchronized (flowSendLock) {
          onData(rc);
        }
      }
      case RelayCell.XOFF, RelayCell.XON -> {
        if (!flowControlled()) {
          throw new TorProtocolException("XON/XOFF on a stream without congestion control");
        }
        if (rc.data().length < 1 || rc.data()[0] != 0) {
          throw new TorProtocolException("unknown XON/XOFF version on stream " + id);
        }
        if (rc.command() == RelayCell.XON && rc.data().length < 5) {
          throw new TorProtocolException("truncated XON on stream " + id);
        }
        synchronized (windowLock) {
          // The XON's advisory rate is not used: we stop and resume on XOFF/XON only.
          peerXoff = rc.command() == RelayCell.XOFF;
          windowLock.notifyAll();
        }
      }
      case RelayCell.END -> {
        int reason = StreamMessages.endReason(rc.data());
        ended = true;
        circuit.streams().streamClosed(id);
        if (!connected) {
          failure =
              new IOException("stream refused by exit: " + StreamMessages.endReasonName(reason));
        }
        incoming.add(EOF);
        synchronized (connectLock) {
          connectLock.notifyAll();
        }
        synchronized (windowLock) {
          windowLock.notifyAll();
        }
      }
      case RelayCell.SENDME -> {
        if (flowControlled()) {
          throw new TorProtocolException("stream SENDME under congestion control");
        }
        synchronized (windowLock) {
          if (packageWindow + STREAM_INCREMENT > STREAM_WINDOW) {
            throw new TorProtocolException("unexpected stream SENDME");
          }
          packageWindow += STREAM_INCREMENT;
          windowLock.notifyAll();
        }
      }
      case RelayCell.RESOLVED -> {
        if (!resolving || resolved != null) {
          throw new TorProtocolException("unexpected RESOLVED on stream " + id);
        }
        synchronized (connectLock) {
          resolved = rc.data();
          connectLock.notifyAll();
        }
        circuit.streams().streamClosed(id);
      }
      case RelayCell.DROP -> {}
      default -> throw new TorProtocolException("relay command " + rc.command() + " on a stream");
    }
  }

  void onCircuitClosed(IOException cause) {
    failure = cause;
    incoming.add(cause);
    synchronized (connectLock) {
      connectLock.notifyAll();
    }
    synchronized (windowLock) {
      windowLock.notifyAll();
    }
  }

  private void sendFlowControl(int command, byte[] body) {
    try {
      circuit.sendStream(new RelayCell(command, id, body), true);
    } catch (IOException e) {
      // the circuit failed meanwhile; the stream fails with it
    }
  }

  private void consumed() throws IOException {
    if (flowControlled()) {
      synchronized (flowSendLock) {
        boolean xon = false;
        synchronized (windowLock) {
          queuedCells--;
          // Resume the exit once most of the backlog is read (rate 0 = no advisory limit).
          if (xoffSent && queuedCells <= xoffLimit / 4 && !ended) {
            xoffSent = false;
            xon = true;
          }
        }
        if (xon && !closed) {
          sendFlowControl(RelayCell.XON, new byte[5]);
        }
      }
      return;
    }
    boolean sendme;
    synchronized (windowLock) {
      consumedCells++;
      sendme = consumedCells >= STREAM_INCREMENT && !ended;
      if (sendme) {
        consumedCells -= STREAM_INCREMENT;
        deliverWindow += STREAM_INCREMENT;
      }
    }
    if (sendme) {
      circuit.sendStream(new RelayCell(RelayCell.SENDME, id, new byte[0]), true);
    }
  }

  private void sendData(byte[] b, int off, int len) throws IOException {
    try {
      sendCells(b, off, len);
    } catch (IOException | RuntimeException e) {
      try {
        circuit.flushChannel(); // other circuits' cells may sit behind our unflushed ones
      } catch (IOException ignored) {
        // the channel is gone too
      }
      throw e;
    }
  }

  private void sendCells(byte[] b, int off, int len) throws IOException {
    boolean fc = flowControlled();
    while (len > 0) {
      int n = Math.min(len, RelayCell.MAX_DATA);
      long deadline = System.nanoTime() + WINDOW_WAIT.toNanos();
      synchronized (windowLock) {
        boolean flushed = false;
        while (fc ? peerXoff : packageWindow <= 0) {
          checkWritable();
          if (!flushed) {
            circuit.flushChannel(); // our earlier cells must reach the exit first
            flushed = true;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new IOException(
                (fc ? "exit kept the stream in XOFF for " : "stream window stayed closed for ")
                    + WINDOW_WAIT);
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(windowLock, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
          }
        }
        if (!fc) {
          packageWindow--;
        }
      }
      checkWritable();
      byte[] chunk = new byte[n];
      System.arraycopy(b, off, chunk, 0, n);
      off += n;
      len -= n;
      // Cells of one write share TLS records; the last one flushes.
      circuit.sendData(new RelayCell(RelayCell.DATA, id, chunk), len == 0, WINDOW_WAIT);
    }
  }

  private void checkWritable() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure);
    }
    if (ended) {
      throw new IOException("stream ended by the exit");
    }
  }

  private final class In extends InputStream {
    private byte[] current;
    private int pos;
    private boolean eof;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (current == null || pos == current.length) {
        if (eof) {
          return -1;
        }
        Object next;
        try {
          int t = readTimeoutMillis;
          next = t > 0 ? incoming.poll(t, TimeUnit.MILLISECONDS) : incoming.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException();
        }
        if (next == null) {
          throw new SocketTimeoutException("read timed out");
        }
        if (next instanceof IOException e) {
          incoming.add(e); // later reads fail the same way
          throw new IOException("tor stream failed: " + e.getMessage(), e);
        }
        byte[] d = (byte[]) next;
        if (d.length == 0) {
          eof = true;
          return -1;
        }
        current = d;
        pos = 0;
        consumed();
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return current == null ? 0 : current.length - pos;
    }

    @Override
    public void close() throws IOException {
      TorStream.this.close();
    }
  }

  private final class Out extends OutputStream {
    private final byte[] buf = new byte[RelayCell.MAX_DATA];
    private int n;

    @Override
    public void write(int b) throws IOException {
      buf[n++] = (byte) b;
      if (n == buf.length) {
        flush();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (n > 0) {
        int take = Math.min(len, buf.length - n);
        System.arraycopy(b, off, buf, n, take);
        n += take;
        off += take;
        len -= take;
        if (n == buf.length) {
          flush();
        }
      }
      if (len >= buf.length) {
        int whole = len - len % buf.length;
        sendData(b, off, whole);
        off += whole;
        len -= whole;
      }
      if (len > 0) {
        System.arraycopy(b, off, buf, n, len);
        n += len;
      }
    }

    @Override
    public void flush() throws IOException {
      if (n > 0) {
        int m = n;
        n = 0;
        sendData(buf, 0, m);
      }
    }

    @Override
    public void close() throws IOException {
      flush();
    }
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
    out.flush();
  }

  @Override
  public void setReadTimeout(int millis) {
    readTimeoutMillis = millis;
  }

  public int streamId() {
    return id;
  }

  /** The circuit carrying this stream (of a conflux set: its first remaining leg). */
  public Circuit circuit() {
    return circuit.primary();
  }

  /** The conflux set carrying this stream, or null when it runs on one circuit. */
  public ConfluxSet conflux() {
    return circuit instanceof ConfluxSet set ? set : null;
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException e) {
      // the circuit is already gone
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (!ended && failure == null) {
        out.flush();
      }
    } catch (IOException e) {
      // best effort: the END below still goes out if the circuit lives
    } finally {
      closed = true;
      if (!ended && failure == null && circuit.isOpen()) {
        int deliverLeft;
        int sendmesOwed;
        synchronized (windowLock) {
          deliverLeft = flowControlled() ? -1 : deliverWindow;
          sendmesOwed = flowControlled() ? 0 : (STREAM_WINDOW - packageWindow) / STREAM_INCREMENT;
        }
        circuit.streams().streamEnded(id, deliverLeft, sendmesOwed, !connected);
        try {
          circuit.sendStream(new RelayCell(RelayCell.END, id, new byte[] {1}), true);
        } catch (IOException e) {
          // circuit died meanwhile
        }
      } else {
        circuit.streams().streamClosed(id);
      }
      incoming.add(EOF);
    }
  }
}
