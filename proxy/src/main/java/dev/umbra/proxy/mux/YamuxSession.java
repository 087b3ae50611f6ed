package dev.umbra.proxy.mux;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A hashicorp/yamux session: streams open with a SYN flag and are acknowledged with ACK; each
 * direction of each stream has a 256 KiB window that window updates replenish; FIN half-closes, RST
 * aborts; pings are answered. Data beyond the window we granted is a protocol error that closes the
 * session (as in yamux), and so is a stream we opened that the peer leaves unanswered too long.
 */
final class YamuxSession extends MuxSession {
  static final int INITIAL_WINDOW = 256 * 1024;

  /** Largest data frame we send. */
  static final int MAX_FRAME = 64 * 1024;

  /**
   * How long a stream we opened may wait for the peer's ACK (or RST) before the session is given up
   * as dead, as yamux's stream-open timeout does; sing-mux sets it to its 5 s TCP timeout.
   */
  static final Duration STREAM_OPEN_TIMEOUT = Duration.ofSeconds(5);

  /** Flow-control state of one stream. */
  private static final class Window {
    long send = INITIAL_WINDOW;
    long receive = INITIAL_WINDOW;
    long credit;
    volatile boolean answered; // the peer acknowledged or reset the stream
  }

  private final ConcurrentHashMap<Integer, Window> windows = new ConcurrentHashMap<>();
  private final Duration openTimeout;
  private final Executor openTimer;
  private int nextId;

  YamuxSession(Conn carrier, boolean client) {
    this(carrier, client, STREAM_OPEN_TIMEOUT);
  }

  YamuxSession(Conn carrier, boolean client, Duration openTimeout) {
    super(carrier, client);
    this.nextId = client ? 1 : 2;
    this.openTimeout = openTimeout;
    // the check is a few reads, done on the JDK's shared delay thread
    this.openTimer =
        CompletableFuture.delayedExecutor(
            openTimeout.toMillis(), TimeUnit.MILLISECONDS, Runnable::run);
  }

  private void send(int type, int flags, int id, long length) throws IOException {
    writeFrame(new YamuxFrame(0, type, flags, id, length).encode(), null, 0, 0);
  }

  @Override
  public MuxStream open() throws IOException {
    MuxStream s;
    Window w;
    synchronized (this) {
      if (isClosed()) {
        throw new IOException("mux session closed");
      }
      int id = nextId;
      nextId += 2;
      if (nextId < 0) {
        throw new IOException("yamux stream ids exhausted");
      }
      s = new MuxStream(id, this, INITIAL_WINDOW);
      w = new Window();
      windows.put(id, w);
      streams.put(id, s);
    }
    send(YamuxFrame.WINDOW_UPDATE, YamuxFrame.SYN, s.id, 0);
    int id = s.id;
    openTimer.execute(() -> {
      if (!w.answered && windows.get(id) == w && !isClosed()) {
        // closing waits for the reader: not on the shared delay thread
        String reason =
            "stream " + id + " not acknowledged within " + openTimeout.toMillis() + " ms";
        Thread.ofVirtual().name("yamux-open-timeout").start(() -> abort(reason));
      }
    });
    return s;
  }

  @Override
  void readFrame() throws IOException {
    byte[] h = new byte[YamuxFrame.HEADER];
    in.readFully(h);
    YamuxFrame f = YamuxFrame.decode(h);
    if (f.version() != 0) {
      throw new ProtocolException("yamux frame of version " + f.version());
    }
    switch (f.type()) {
      case YamuxFrame.DATA, YamuxFrame.WINDOW_UPDATE -> streamFrame(f);
      case YamuxFrame.PING -> {
        if ((f.flags() & YamuxFrame.SYN) != 0) {
          send(YamuxFrame.PING, YamuxFrame.ACK, 0, f.length());
        }
      }
      case YamuxFrame.GO_AWAY ->
          throw new java.io.EOFException("yamux go-away with code " + f.length());
      default -> throw new ProtocolException("yamux frame of unknown type " + f.type());
    }
  }

  private void streamFrame(YamuxFrame f) throws IOException {
    int id = f.streamId();
    int flags = f.flags();
    if ((flags & YamuxFrame.SYN) != 0) {
      if (id == 0 || (id & 1) != (client ? 0 : 1)) {
        throw new ProtocolException("yamux SYN for stream " + id + " of the wrong side");
      }
      if (streams.containsKey(id)) {
        throw new ProtocolException("yamux SYN for stream " + id + " which is open");
      }
      synchronized (this) {
        highestPeerId = Math.max(highestPeerId, id);
      }
      MuxStream s = new MuxStream(id, this, INITIAL_WINDOW);
      windows.put(id, new Window());
      if (admit(s)) {
        send(YamuxFrame.WINDOW_UPDATE, YamuxFrame.ACK, id, 0);
      } else {
        windows.remove(id);
        send(YamuxFrame.WINDOW_UPDATE, YamuxFrame.RST, id, 0);
      }
    }
    MuxStream s = streams.get(id);
    Window w = windows.get(id);
    if (s == null && id != 0 && neverOpened(id)) {
      throw new ProtocolException("yamux frame for stream " + id + " which was never opened");
    }
    if (w != null && (flags & (YamuxFrame.ACK | YamuxFrame.RST)) != 0) {
      w.answered = true;
    }
    if (f.type() == YamuxFrame.WINDOW_UPDATE) {
      if (w != null && f.length() > 0) {
        synchronized (w) {
          w.send += f.length();
          if (w.send > 1L << 31) {
            throw new ProtocolException("yamux send window of stream " + id + " overflows");
          }
          w.notifyAll();
        }
      }
    } else {
      long n = f.length();
      if (w == null || s == null) {
        if (n > INITIAL_WINDOW) {
          throw new ProtocolException("yamux data of " + n + " bytes for a closed stream");
        }
        skip(n);
      } else {
        synchronized (w) {
          if (n > w.receive) {
            throw new ProtocolException(
                "yamux stream " + id + " sent " + n + " bytes into a window of " + w.receive);
          }
          w.receive -= n;
        }
        if (n > 0) {
          byte[] data = new byte[(int) n];
          in.readFully(data);
          s.deliver(data, false);
        }
      }
    }
    if (s != null && (flags & YamuxFrame.FIN) != 0) {
      s.remoteFinish();
      if (s.isFinished()) {
        forget(id);
      }
    }
    if (s != null && (flags & YamuxFrame.RST) != 0) {
      s.fail(new IOException("yamux stream reset by peer"));
      forget(id);
    }
  }

  @Override
  protected synchronized boolean neverOpened(int id) {
    boolean ours = (id & 1) == (client ? 1 : 0);
    return ours ? id >= nextId : id > highestPeerId;
  }

  private void forget(int id) {
    streams.remove(id);
    Window w = windows.remove(id);
    if (w != null) {
      synchronized (w) {
        w.notifyAll();
      }
    }
  }

  @Override
  public void write(MuxStream s, byte[] b, int off, int len) throws IOException {
    Window w = windows.get(s.id);
    if (w == null) {
      throw new IOException("yamux stream " + s.id + " is closed");
    }
    while (len > 0) {
      int n;
      synchronized (w) {
        while (w.send == 0) {
          if (isClosed() || !windows.containsKey(s.id)) {
            throw new IOException("yamux stream " + s.id + " is closed");
          }
          try {
            w.wait(1000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
          }
        }
        n = (int) Math.min(Math.min(len, w.send), MAX_FRAME);
        w.send -= n;
      }
      writeFrame(new YamuxFrame(0, YamuxFrame.DATA, 0, s.id, n).encode(), b, off, n);
      off += n;
      len -= n;
    }
  }

  @Override
  public void finish(MuxStream s) throws IOException {
    send(YamuxFrame.WINDOW_UPDATE, YamuxFrame.FIN, s.id, 0);
    if (s.remoteFinished()) {
      forget(s.id);
    }
  }

  @Override
  public void consumed(MuxStream s, int n) throws IOException {
    Window w = windows.get(s.id);
    if (w == null) {
      return;
    }
    long grant = 0;
    synchronized (w) {
      w.credit += n;
      if (w.credit >= INITIAL_WINDOW / 2) {
        grant = w.credit;
        w.receive += grant;
        w.credit = 0;
      }
    }
    if (grant > 0 && !s.remoteFinished()) {
      send(YamuxFrame.WINDOW_UPDATE, 0, s.id, grant);
    }
  }

  @Override
  public void closed(MuxStream s) {
    boolean both = s.isFinished() && s.remoteFinished();
    boolean remoteDone = s.remoteFinished();
    forget(s.id);
    if (both || isClosed()) {
      return;
    }
    try {
      // the peer may still be sending: a reset tells it nobody reads any more
      send(YamuxFrame.WINDOW_UPDATE, remoteDone ? YamuxFrame.FIN : YamuxFrame.RST, s.id, 0);
    } catch (IOException e) {
      // the session is gone, and the stream with it
    }
  }
}
