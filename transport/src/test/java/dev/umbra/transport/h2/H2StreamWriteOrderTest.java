package dev.umbra.transport.h2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Pipe;
import java.nio.channels.WritePendingException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.PushPromiseFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Test;

/**
 * A server stream's first DATA must wait for its response HEADERS: Jetty lets one write be in
 * flight per stream and fails a second with WritePendingException. Under load the HEADERS sit
 * behind other streams' DATA in the session's flusher while the handler already writes its first
 * bytes (the h2mux flake: one of 48 parallel streams answered with nothing). Here the HEADERS
 * callback is held back on purpose until the handler has tried to write.
 */
class H2StreamWriteOrderTest {

  /** A Jetty stream that, like HTTP2Stream, allows one write in flight and keeps the callbacks. */
  static final class OneWriteStream implements Stream {
    final List<String> frames = new CopyOnWriteArrayList<>();
    private Callback inFlight;

    private synchronized boolean start(Callback callback, String frame) {
      if (inFlight != null) {
        frames.add("REFUSED " + frame);
        callback.failed(new WritePendingException());
        return false;
      }
      inFlight = callback;
      frames.add(frame);
      return true;
    }

    /** Completes the write in flight, as the session's flusher does once the frame is out. */
    void complete() {
      Callback c;
      synchronized (this) {
        c = inFlight;
        inFlight = null;
      }
      if (c != null) {
        c.succeeded();
      }
    }

    @Override
    public void headers(HeadersFrame frame, Callback callback) {
      start(callback, frame.isEndStream() ? "HEADERS+END" : "HEADERS");
    }

    @Override
    public void data(DataFrame frame, Callback callback) {
      if (start(callback, "DATA " + frame.remaining() + (frame.isEndStream() ? "+END" : ""))) {
        // DATA leaves at once: only the HEADERS are held back by the test
        complete();
      }
    }

    @Override
    public int getId() {
      return 1;
    }

    @Override
    public Listener getListener() {
      return null;
    }

    @Override
    public Session getSession() {
      return null;
    }

    @Override
    public void push(PushPromiseFrame frame, Promise<Stream> promise, Listener listener) {
      promise.failed(new UnsupportedOperationException());
    }

    @Override
    public Data readData() {
      return null;
    }

    @Override
    public void reset(ResetFrame frame, Callback callback) {
      frames.add("RST_STREAM");
      callback.succeeded();
    }

    @Override
    public Object getAttribute(String key) {
      return null;
    }

    @Override
    public void setAttribute(String key, Object value) {}

    @Override
    public Object removeAttribute(String key) {
      return null;
    }

    @Override
    public boolean isLocal() {
      return false;
    }

    @Override
    public boolean isReset() {
      return false;
    }

    @Override
    public boolean isRemotelyClosed() {
      return false;
    }

    @Override
    public boolean isClosed() {
      return false;
    }

    @Override
    public long getIdleTimeout() {
      return 0;
    }

    @Override
    public void setIdleTimeout(long idleTimeout) {}

    @Override
    public void demand() {}
  }

  @Test
  void firstDataWaitsForTheResponseHeaders() throws Exception {
    Conn[] carrier = Pipe.create();
    OneWriteStream stream = new OneWriteStream();
    H2StreamConn conn = new H2StreamConn(carrier[0], false, null);
    conn.attach(stream);
    conn.respond(new MetaData.Response(200, null, HttpVersion.HTTP_2, HttpFields.EMPTY));
    AtomicReference<Throwable> failed = new AtomicReference<>();
    // the handler answers at once, while the HEADERS are still in flight
    Thread handler =
        Thread.ofVirtual()
            .start(() -> {
              try {
                conn.out().write(new byte[] {0, 'o', 'k'});
                conn.shutdownOutput();
              } catch (Throwable t) {
                failed.set(t);
              }
            });
    // until the handler has either failed its write or parked waiting for the HEADERS
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (handler.isAlive()
        && handler.getState() != Thread.State.TIMED_WAITING
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(failed.get()).as("the handler's first write").isNull();
    assertThat(stream.frames).containsExactly("HEADERS");
    stream.complete();
    handler.join(10_000);
    assertThat(handler.isAlive()).isFalse();
    assertThat(failed.get()).isNull();
    assertThat(stream.frames).containsExactly("HEADERS", "DATA 3", "DATA 0+END");
    carrier[0].close();
    carrier[1].close();
  }
}
