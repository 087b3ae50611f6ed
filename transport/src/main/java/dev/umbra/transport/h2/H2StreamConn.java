package dev.umbra.transport.h2;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;

/**
 * One HTTP/2 stream as a blocking {@link Conn}: reads pull DATA frames from Jetty (demand when
 * empty, park until data arrives), writes wait for Jetty's callback so flow control parks the
 * writer. Half-close ends the stream with an empty DATA frame or, for gRPC servers, with trailers.
 */
public final class H2StreamConn implements Conn {
  /** How long a single write may wait for the peer's flow-control window. */
  private static final long WRITE_TIMEOUT_SECONDS = 300;

  private final Conn carrier;
  private final HttpFields endTrailers;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile Stream stream;
  private boolean awaitingResponse;
  private boolean available;
  private boolean eof;
  private boolean trailersSeen;
  private IOException failure;
  private Stream.Data current;
  private volatile int readTimeoutMillis;
  private boolean outputShut;
  private boolean closed;

  /**
   * The response HEADERS a server stream sent before handing the stream on: Jetty allows one write
   * in flight per stream (a second fails with WritePendingException), so the first DATA waits for
   * them. They may still be queued behind other streams' DATA when the handler writes.
   */
  private volatile Callback.Completable responseSent;

  private final InputStream in = new In();
  private final OutputStream out = new Out();

  /**
   * @param carrier the connection carrying the session (for addresses)
   * @param awaitResponse a client stream: reads wait for a 200 response first
   * @param endTrailers trailers that end our side (gRPC server), or null for an empty DATA frame
   */
  H2StreamConn(Conn carrier, boolean awaitResponse, HttpFields endTrailers) {
    this.carrier = carrier;
    this.awaitingResponse = awaitResponse;
    this.endTrailers = endTrailers;
  }

  void attach(Stream s) {
    this.stream = s;
  }

  /** Server side: sends the response HEADERS (not ending the stream); writes wait for them. */
  void respond(MetaData.Response response) {
    Stream s = stream;
    Callback.Completable sent = new Callback.Completable();
    responseSent = sent;
    s.headers(new HeadersFrame(s.getId(), response, null, false), sent);
  }

  private void awaitResponseSent() throws IOException {
    Callback.Completable sent = responseSent;
    if (sent != null) {
      waitFor(sent, "response");
    }
  }

  Stream.Listener listener() {
    return new Stream.Listener() {
      @Override
      public void onHeaders(Stream s, HeadersFrame frame) {
        lock.lock();
        try {
          if (awaitingResponse && frame.getMetaData() instanceof MetaData.Response r) {
            awaitingResponse = false;
            if (r.getStatus() != 200) {
              failure = new IOException("HTTP/2 server answered " + r.getStatus());
            }
            eof |= frame.isEndStream();
          } else {
            // trailers: the end of the peer's side once the queued DATA is read
            trailersSeen = true;
          }
          available = true;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void onDataAvailable(Stream s) {
        signal(null);
      }

      @Override
      public void onReset(Stream s, ResetFrame frame, Callback callback) {
        signal(
            new IOException(
                "HTTP/2 stream reset by peer: " + ErrorCode.toString(frame.getError(), "?")));
        callback.succeeded();
      }

      @Override
      public void onFailure(
          Stream s, int error, String reason, Throwable cause, Callback callback) {
        signal(new IOException("HTTP/2 stream failed: " + reason, cause));
        callback.succeeded();
      }

      @Override
      public void onIdleTimeout(Stream s, TimeoutException x, Promise<Boolean> promise) {
        signal(new SocketTimeoutException("HTTP/2 stream idle"));
        promise.succeeded(true);
      }

      @Override
      public void onClosed(Stream s) {
        lock.lock();
        try {
          available = true;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    };
  }

  private void signal(IOException error) {
    lock.lock();
    try {
      if (error != null && failure == null) {
        failure = error;
      }
      available = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Fails the stream before it was created (the client could not open it). */
  void fail(IOException e) {
    signal(e);
  }

  private int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    long timeout = readTimeoutMillis;
    long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0;
    while (true) {
      Stream.Data d;
      lock.lock();
      try {
        while (awaitingResponse && failure == null) {
          await(deadline);
        }
        if (failure != null && current == null) {
          throw failure;
        }
        d = current;
        if (d == null && eof) {
          return -1;
        }
      } finally {
        lock.unlock();
      }
      if (d != null) {
        ByteBuffer buf = d.frame().getByteBuffer();
        int n = Math.min(len, buf.remaining());
        buf.get(b, off, n);
        if (!buf.hasRemaining()) {
          boolean end = d.frame().isEndStream();
          d.release();
          lock.lock();
          try {
            current = null;
            eof |= end;
          } finally {
            lock.unlock();
          }
        }
        if (n > 0) {
          return n;
        }
        continue;
      }
      Stream s = stream;
      Stream.Data next = s.readData();
      if (next != null) {
        lock.lock();
        try {
          current = next;
        } finally {
          lock.unlock();
        }
        continue;
      }
      lock.lock();
      try {
        if (eof || trailersSeen || failure != null) {
          eof = true;
          continue;
        }
        available = false;
      } finally {
        lock.unlock();
      }
      s.demand();
      lock.lock();
      try {
        while (!available && failure == null && !eof) {
          await(deadline);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  private void await(long deadline) throws IOException {
    try {
      if (deadline == 0) {
        changed.await();
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SocketTimeoutException("read timed out on an HTTP/2 stream");
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException();
    }
  }

  private void write(byte[] b, int off, int len) throws IOException {
    checkWritable();
    if (len == 0) {
      return;
    }
    awaitResponseSent();
    Stream s = stream;
    Callback.Completable done = new Callback.Completable();
    s.data(new DataFrame(s.getId(), ByteBuffer.wrap(b, off, len), false), done);
    waitFor(done, "write");
  }

  private void checkWritable() throws IOException {
    lock.lock();
    try {
      if (outputShut || closed) {
        throw new IOException("HTTP/2 stream output is closed");
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      lock.unlock();
    }
  }

  private void waitFor(Callback.Completable done, String what) throws IOException {
    try {
      done.get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reset();
      throw new InterruptedIOException();
    } catch (TimeoutException e) {
      reset();
      throw new SocketTimeoutException("HTTP/2 " + what + " stalled (peer's window stayed shut)");
    } catch (ExecutionException e) {
      throw new IOException("HTTP/2 " + what + " failed: " + e.getCause(), e.getCause());
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
    lock.lock();
    try {
      if (outputShut || closed) {
        return;
      }
      outputShut = true;
    } finally {
      lock.unlock();
    }
    Stream s = stream;
    if (s == null) {
      return;
    }
    awaitResponseSent();
    Callback.Completable done = new Callback.Completable();
    if (endTrailers != null) {
      s.headers(
          new HeadersFrame(s.getId(), new MetaData(HttpVersion.HTTP_2, endTrailers), null, true),
          done);
    } else {
      s.data(new DataFrame(s.getId(), BufferUtil.EMPTY_BUFFER, true), done);
    }
    waitFor(done, "end of stream");
  }

  private void reset() {
    Stream s = stream;
    if (s != null && !s.isClosed()) {
      s.reset(new ResetFrame(s.getId(), ErrorCode.CANCEL_STREAM_ERROR.code), Callback.NOOP);
    }
  }

  @Override
  public void setReadTimeout(int millis) {
    readTimeoutMillis = millis;
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
    boolean wasShut;
    boolean atEof;
    Stream.Data d;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      wasShut = outputShut;
      atEof = eof && failure == null;
      d = current;
      current = null;
    } finally {
      lock.unlock();
    }
    if (d != null) {
      d.release();
    }
    if (!wasShut && failure == null) {
      try {
        shutdownOutput();
      } catch (IOException e) {
        // the stream is being torn down anyway
      }
    }
    lock.lock();
    try {
      closed = true;
      failure = failure == null ? new IOException("HTTP/2 stream closed") : failure;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (!atEof) {
      reset();
    }
  }

  /** Ends the stream at once with RST_STREAM (the peer broke the framing inside it). */
  public void abort() {
    Stream.Data d;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      outputShut = true;
      failure = failure == null ? new IOException("HTTP/2 stream aborted") : failure;
      d = current;
      current = null;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (d != null) {
      d.release();
    }
    Stream s = stream;
    if (s != null && !s.isReset()) {
      s.reset(new ResetFrame(s.getId(), ErrorCode.PROTOCOL_ERROR.code), Callback.NOOP);
    }
  }

  @Override
  public String toString() {
    Stream s = stream;
    return "HTTP/2 stream " + (s == null ? "?" : s.getId()) + " over " + carrier;
  }

  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = H2StreamConn.this.read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      return H2StreamConn.this.read(b, off, len);
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      H2StreamConn.this.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      H2StreamConn.this.write(b, off, len);
    }
  }
}
