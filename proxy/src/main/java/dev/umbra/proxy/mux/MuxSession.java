package dev.umbra.proxy.mux;

import dev.umbra.core.net.Conn;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A multiplexed session over one carrier: a reader thread decodes frames and hands data to streams;
 * writers take turns on the carrier. A protocol violation closes this session only, with a log
 * line; its streams fail, other sessions are not affected.
 */
abstract sealed class MuxSession implements Session, MuxStream.Sink
    permits SmuxSession, YamuxSession {
  private static final Logger LOG = LoggerFactory.getLogger(MuxSession.class);

  /** Streams waiting for {@link #accept}; more are refused. */
  static final int ACCEPT_BACKLOG = 256;

  /** Streams open at once in one session; more are refused. */
  static final int MAX_STREAMS = 1024;

  protected final Conn carrier;
  protected final boolean client;
  protected final DataInputStream in;
  private final OutputStream out;
  private final ReentrantLock writeLock = new ReentrantLock();
  protected final ConcurrentHashMap<Integer, MuxStream> streams = new ConcurrentHashMap<>();
  private final BlockingQueue<MuxStream> backlog = new ArrayBlockingQueue<>(ACCEPT_BACKLOG);
  private volatile boolean closed;
  private volatile IOException closeCause;
  private volatile Thread reader;
  private final java.util.concurrent.CountDownLatch closeDone =
      new java.util.concurrent.CountDownLatch(1);

  /** Wakes {@link #accept} when the session closes. */
  private final MuxStream endOfStreams = new MuxStream(-1, this, 0);

  /** Stream ids this side has handed out, and the highest the peer has opened (SYN seen). */
  protected int highestPeerId;

  MuxSession(Conn carrier, boolean client) {
    this.carrier = carrier;
    this.client = client;
    this.in = new DataInputStream(carrier.in());
    this.out = carrier.out();
  }

  /** Starts the reader thread. */
  final MuxSession start() {
    return start("mux");
  }

  /** Starts the reader thread, named after {@code name} (the adapter the session belongs to). */
  final MuxSession start(String name) {
    reader = Thread.ofVirtual().name(name + "-reader").start(this::readLoop);
    return this;
  }

  private void readLoop() {
    try {
      while (!closed) {
        readFrame();
      }
    } catch (EOFException e) {
      LOG.debug("mux session {}: carrier ended", carrier.remoteAddress());
      closeCause = new EOFException("mux session ended: the carrier was closed");
    } catch (ProtocolException e) {
      LOG.warn("mux session {} closed: {}", carrier.remoteAddress(), e.getMessage());
      closeCause = new ProtocolException("mux session closed: " + e.getMessage());
    } catch (IOException e) {
      if (!closed) {
        LOG.debug("mux session {}: {}", carrier.remoteAddress(), e.toString());
        closeCause = new IOException("mux session broken: " + e.getMessage(), e);
      }
    } finally {
      close();
    }
  }

  /** Closes this session because the peer broke a rule outside the frame reader's view. */
  protected final void abort(String reason) {
    LOG.warn("mux session {} closed: {}", carrier.remoteAddress(), reason);
    closeCause = new ProtocolException("mux session closed: " + reason);
    close();
  }

  /** Reads and handles one frame. */
  abstract void readFrame() throws IOException;

  /** Opens a new stream to the peer. */
  @Override
  public abstract MuxStream open() throws IOException;

  /**
   * Whether a frame for stream {@code id}, which is not open, names a stream that never existed:
   * one of ours beyond the last we opened, or one of the peer's beyond the last it opened. Frames
   * for streams that existed and closed are normal (they crossed our close) and are dropped.
   */
  protected abstract boolean neverOpened(int id);

  /** Registers a stream the peer opened; false (and the caller refuses it) if over a limit. */
  protected final boolean admit(MuxStream s) {
    if (closed || streams.size() >= MAX_STREAMS || !backlog.offer(s)) {
      LOG.warn("mux session {}: refusing stream {} (limits)", carrier.remoteAddress(), s.id);
      return false;
    }
    streams.put(s.id, s);
    return true;
  }

  /** Waits for a stream the peer opened; IOException once the session is closed. */
  @Override
  public final MuxStream accept() throws IOException {
    MuxStream s;
    try {
      s = closed ? endOfStreams : backlog.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
    if (s == endOfStreams) {
      backlog.offer(endOfStreams); // for any other caller waiting
      IOException cause = closeCause;
      throw cause != null ? cause : new EOFException("mux session closed");
    }
    return s;
  }

  /** A write on a session already closed (no need to close it again). */
  private static final class SessionClosedException extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Writes one frame (header and data) atomically. */
  protected final void writeFrame(byte[] header, byte[] b, int off, int len) throws IOException {
    IOException failed = null;
    writeLock.lock();
    try {
      if (closed) {
        throw new SessionClosedException();
      }
      out.write(header);
      if (len > 0) {
        out.write(b, off, len);
      }
      out.flush();
    } catch (SessionClosedException e) {
      throw new IOException("mux session closed", closeCause);
    } catch (IOException e) {
      failed = e;
    } finally {
      writeLock.unlock();
    }
    if (failed != null) {
      // a carrier that cannot be written ends the session (closed outside the lock: close waits
      // for the reader, which may be waiting for that lock)
      close();
      throw failed;
    }
  }

  protected final void skip(long n) throws IOException {
    in.skipNBytes(n);
  }

  @Override
  public final int numStreams() {
    return streams.size();
  }

  @Override
  public final boolean isClosed() {
    return closed;
  }

  @Override
  public final boolean canTakeNewStream() {
    return !closed && streams.size() < MAX_STREAMS;
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
  public void close() {
    boolean first;
    synchronized (this) {
      first = !closed;
      closed = true;
    }
    if (!first) {
      awaitClosed();
      return;
    }
    IOException cause = closeCause != null ? closeCause : new IOException("mux session closed");
    for (MuxStream s : streams.values()) {
      s.fail(cause instanceof EOFException ? new EOFException(cause.getMessage()) : cause);
    }
    for (MuxStream s = backlog.poll(); s != null; s = backlog.poll()) {
      s.fail(cause);
    }
    streams.clear();
    backlog.offer(endOfStreams);
    try {
      carrier.close();
    } catch (IOException e) {
      LOG.debug("mux session close: {}", e.toString());
    }
    // the reader ends on the closed carrier; a close from elsewhere waits for it (bounded)
    Thread r = reader;
    if (r != null && r != Thread.currentThread()) {
      try {
        if (!r.join(java.time.Duration.ofSeconds(5))) {
          LOG.debug("mux session {}: reader still running after close", carrier.remoteAddress());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeDone.countDown();
  }

  /** A second close waits until the first is done (so it too returns with the carrier closed). */
  private void awaitClosed() {
    if (Thread.currentThread() == reader) {
      return; // the first close is waiting for us
    }
    try {
      if (!closeDone.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
        LOG.debug("mux session {}: close still running", carrier.remoteAddress());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
