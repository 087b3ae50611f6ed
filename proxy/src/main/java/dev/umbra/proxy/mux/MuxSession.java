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
import java.util.concurrent.TimeUnit;
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

  MuxSession(Conn carrier, boolean client) {
    this.carrier = carrier;
    this.client = client;
    this.in = new DataInputStream(carrier.in());
    this.out = carrier.out();
  }

  /** Starts the reader thread. */
  final MuxSession start() {
    Thread.ofVirtual().name("mux-reader").start(this::readLoop);
    return this;
  }

  private void readLoop() {
    try {
      while (!closed) {
        readFrame();
      }
    } catch (EOFException e) {
      LOG.debug("mux session {}: carrier ended", carrier.remoteAddress());
      closeCause = new EOFException("mux session ended");
    } catch (ProtocolException e) {
      LOG.warn("mux session {} closed: {}", carrier.remoteAddress(), e.getMessage());
      closeCause = e;
    } catch (IOException e) {
      if (!closed) {
        LOG.debug("mux session {}: {}", carrier.remoteAddress(), e.toString());
      }
      closeCause = e;
    } finally {
      close();
    }
  }

  /** Reads and handles one frame. */
  abstract void readFrame() throws IOException;

  /** Opens a new stream to the peer. */
  @Override
  public abstract MuxStream open() throws IOException;

  /** Registers a stream the peer opened; false (and the caller refuses it) if over a limit. */
  protected final boolean admit(MuxStream s) {
    if (streams.size() >= MAX_STREAMS || !backlog.offer(s)) {
      LOG.warn("mux session {}: refusing stream {} (limits)", carrier.remoteAddress(), s.id);
      return false;
    }
    streams.put(s.id, s);
    return true;
  }

  /** Waits for a stream the peer opened; IOException once the session is closed. */
  @Override
  public final MuxStream accept() throws IOException {
    while (true) {
      if (closed) {
        IOException cause = closeCause;
        throw cause != null ? cause : new EOFException("mux session closed");
      }
      MuxStream s;
      try {
        s = backlog.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
      if (s != null) {
        return s;
      }
    }
  }

  /** Writes one frame (header and data) atomically. */
  protected final void writeFrame(byte[] header, byte[] b, int off, int len) throws IOException {
    writeLock.lock();
    try {
      if (closed) {
        throw new IOException("mux session closed");
      }
      out.write(header);
      if (len > 0) {
        out.write(b, off, len);
      }
      out.flush();
    } catch (IOException e) {
      close();
      throw e;
    } finally {
      writeLock.unlock();
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
  public SocketAddress localAddress() {
    return carrier.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return carrier.remoteAddress();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    IOException cause = closeCause != null ? closeCause : new IOException("mux session closed");
    for (MuxStream s : streams.values()) {
      s.fail(cause instanceof EOFException ? new EOFException("mux session ended") : cause);
    }
    for (MuxStream s = backlog.poll(); s != null; s = backlog.poll()) {
      s.fail(cause);
    }
    streams.clear();
    try {
      carrier.close();
    } catch (IOException e) {
      LOG.debug("mux session close: {}", e.toString());
    }
  }
}
