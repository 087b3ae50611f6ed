package dev.umbra.transport.quic;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import tech.kwik.core.QuicStream;

/**
 * One bidirectional QUIC stream as a {@link Conn}: the V2Ray {@code quic} transport carries one
 * proxied connection per stream with no framing of its own. Half-close sends the stream's FIN;
 * close of an unfinished stream resets it (both directions).
 */
public final class QuicStreamConn implements Conn {
  /** Application error code for a stream abandoned by close (any code; the peer only logs it). */
  static final long CANCELLED = 0;

  private static final ScheduledExecutorService TIMERS =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("quic-read-timeout").factory());

  private final QuicStream stream;
  private final SocketAddress local;
  private final SocketAddress remote;
  private final Runnable onClose;
  private final InputStream in;
  private final OutputStream out;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile int readTimeoutMillis;
  private volatile boolean timedOut;
  private volatile boolean outputDone;
  private volatile boolean inputDone;
  private final SendKick.Watched watched;

  QuicStreamConn(QuicStream stream, SocketAddress local, SocketAddress remote, Runnable onClose) {
    this.stream = stream;
    this.local = local;
    this.remote = remote;
    this.onClose = onClose;
    this.in = new In(stream.getInputStream());
    this.out = stream.getOutputStream();
    this.watched = SendKick.watch(out, "quic stream " + stream.getStreamId() + " with " + remote);
  }

  /** Reads with the read timeout: a blocked read past it aborts the stream's receive side. */
  private final class In extends InputStream {
    private final InputStream delegate;

    In(InputStream delegate) {
      this.delegate = delegate;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (timedOut) {
        throw new SocketTimeoutException("QUIC stream read timed out");
      }
      int t = readTimeoutMillis;
      ScheduledFuture<?> alarm = null;
      if (t > 0 && delegate.available() == 0) {
        alarm =
            TIMERS.schedule(
                () -> {
                  timedOut = true;
                  stream.abortReading(CANCELLED);
                },
                t,
                TimeUnit.MILLISECONDS);
      }
      try {
        int n = delegate.read(b, off, len);
        if (n < 0) {
          inputDone = true;
        }
        return n;
      } catch (IOException e) {
        if (timedOut) {
          throw new SocketTimeoutException("QUIC stream read timed out");
        }
        throw e;
      } finally {
        if (alarm != null) {
          alarm.cancel(false);
        }
      }
    }

    @Override
    public int available() throws IOException {
      return delegate.available();
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
    if (!outputDone) {
      outputDone = true;
      out.close(); // FIN
    }
  }

  @Override
  public void setReadTimeout(int millis) {
    readTimeoutMillis = millis;
  }

  @Override
  public SocketAddress localAddress() {
    return local;
  }

  @Override
  public SocketAddress remoteAddress() {
    return remote;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (!outputDone) {
        stream.resetStream(CANCELLED);
      }
      if (!inputDone) {
        stream.abortReading(CANCELLED);
      }
    } finally {
      if (watched != null) {
        watched.closed();
      }
      onClose.run();
    }
  }

  @Override
  public String toString() {
    return "quic stream " + stream.getStreamId() + " with " + remote;
  }
}
