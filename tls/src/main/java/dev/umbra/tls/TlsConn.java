package dev.umbra.tls;

import dev.umbra.core.net.Conn;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS over any {@link Conn} (a socket, a proxied stream, a tunnel stream), driven by the JDK's
 * {@link SSLEngine}. One thread reads and one writes at a time, as {@link Conn} promises; the
 * engine itself tolerates a concurrent wrap and unwrap. {@code shutdownOutput} sends close_notify,
 * which is a half-close in TLS 1.3 and ends the connection in TLS 1.2.
 */
public final class TlsConn implements Conn {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
  // Several records per write to the carrier: one syscall for up to this many full records.
  private static final int RECORDS_PER_WRITE = 4;
  private static final int READ_AHEAD = 64 * 1024;
  // The most ciphertext held while waiting for one record to complete. The engine rejects a
  // record header longer than TLS allows before this is reached; the cap only keeps a hostile
  // length from growing the buffer should an engine ever accept one.
  private static final int MAX_NET_IN = 4 * READ_AHEAD;

  private final Conn raw;
  private final SSLEngine engine;
  private final InputStream rawIn;
  private final OutputStream rawOut;
  private final ReentrantLock readLock = new ReentrantLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final InputStream in = new In();
  private final OutputStream out = new Out();

  // Read side: netIn holds ciphertext not yet unwrapped, appIn plaintext not yet returned; both
  // are kept in read mode (position..limit is the pending data).
  private ByteBuffer netIn;
  private ByteBuffer appIn;
  private boolean inboundDone;
  // A record after already decrypted data failed (bad MAC, alert, malformed): the data before it
  // is returned first, and this is thrown by the next read.
  private IOException readFailure;
  // The caller's array wrapped for decrypting straight into it, kept while the caller reuses it.
  private ByteBuffer callerView = ByteBuffer.allocate(0);
  // Write side, guarded by writeLock.
  private ByteBuffer netOut;
  // Set once a direction is handed to the caller raw (detachInput/detachOutput).
  private volatile boolean inputDetached;
  private volatile boolean outputDetached;

  private TlsConn(Conn raw, SSLEngine engine) {
    this.raw = raw;
    this.engine = engine;
    this.rawIn = raw.in();
    this.rawOut = raw.out();
    int packet = engine.getSession().getPacketBufferSize();
    // Room for many small records per read from the carrier.
    this.netIn = ByteBuffer.allocate(Math.max(packet, READ_AHEAD)).flip();
    this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
    this.netOut = ByteBuffer.allocate(packet * RECORDS_PER_WRITE);
  }

  /** Runs the handshake of a configured engine over {@code raw}; the caller closes on failure. */
  static TlsConn handshake(Conn raw, SSLEngine engine) throws IOException {
    TlsConn c = new TlsConn(raw, engine);
    engine.beginHandshake();
    HandshakeStatus hs = engine.getHandshakeStatus();
    while (hs != HandshakeStatus.FINISHED && hs != HandshakeStatus.NOT_HANDSHAKING) {
      hs =
          switch (hs) {
            case NEED_WRAP -> c.wrapAndSend(EMPTY);
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> c.unwrapForHandshake();
            case NEED_TASK -> c.runTasks();
            default -> throw new SSLException("unexpected handshake state " + hs);
          };
    }
    return c;
  }

  /** The protocol agreed by ALPN, or "" when none. */
  public String applicationProtocol() {
    String p = engine.getApplicationProtocol();
    return p == null ? "" : p;
  }

  public String protocolVersion() {
    return engine.getSession().getProtocol();
  }

  /** The negotiated cipher suite's standard name. */
  public String cipherSuite() {
    return engine.getSession().getCipherSuite();
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
    writeLock.lock();
    try {
      if (outputDetached) {
        raw.shutdownOutput(); // the caller writes raw now: no close_notify into its stream
        return;
      }
      if (engine.isOutboundDone()) {
        return;
      }
      engine.closeOutbound();
      while (!engine.isOutboundDone()) {
        SSLEngineResult r = wrapOnce(EMPTY);
        flushNetOut();
        if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
          break;
        }
      }
      raw.shutdownOutput();
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    raw.setReadTimeout(millis);
  }

  @Override
  public SocketAddress localAddress() {
    return raw.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return raw.remoteAddress();
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }

  private HandshakeStatus runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
    return engine.getHandshakeStatus();
  }

  private HandshakeStatus wrapAndSend(ByteBuffer src) throws IOException {
    writeLock.lock();
    try {
      SSLEngineResult r = wrapOnce(src);
      flushNetOut();
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        throw new SSLException("TLS closed during the handshake");
      }
      return r.getHandshakeStatus();
    } finally {
      writeLock.unlock();
    }
  }

  /** Wraps into netOut (write mode), growing it when a record does not fit. */
  private SSLEngineResult wrapOnce(ByteBuffer src) throws SSLException {
    while (true) {
      SSLEngineResult r = engine.wrap(src, netOut);
      if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
        return r;
      }
      int packet = engine.getSession().getPacketBufferSize();
      netOut = ByteBuffer.allocate(netOut.capacity() + packet).put(netOut.flip());
    }
  }

  private void flushNetOut() throws IOException {
    if (netOut.position() > 0) {
      rawOut.write(netOut.array(), 0, netOut.position());
      rawOut.flush();
      netOut.clear();
    }
  }

  private HandshakeStatus unwrapForHandshake() throws IOException {
    readLock.lock();
    try {
      SSLEngineResult r = unwrapOnce();
      if (r == null) {
        throw new EOFException("connection closed during the TLS handshake");
      }
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        throw new SSLException("TLS closed during the handshake");
      }
      return r.getHandshakeStatus();
    } finally {
      readLock.unlock();
    }
  }

  /**
   * One unwrap into appIn, reading from the carrier as needed; null when the carrier ended before a
   * whole record arrived.
   */
  private SSLEngineResult unwrapOnce() throws IOException {
    while (true) {
      appIn.compact();
      SSLEngineResult r;
      try {
        r = engine.unwrap(netIn, appIn);
      } finally {
        appIn.flip();
      }
      switch (r.getStatus()) {
        case BUFFER_UNDERFLOW -> {
          if (!readMore()) {
            return null;
          }
        }
        case BUFFER_OVERFLOW ->
            appIn = growReadMode(appIn, engine.getSession().getApplicationBufferSize());
        default -> {
          return r;
        }
      }
    }
  }

  /** Reads more ciphertext into netIn; false at the carrier's end of stream. */
  private boolean readMore() throws IOException {
    netIn.compact();
    try {
      if (!netIn.hasRemaining()) {
        if (netIn.capacity() >= MAX_NET_IN) {
          throw new SSLException("TLS record longer than " + MAX_NET_IN + " bytes");
        }
        netIn = growReadMode(netIn.flip(), engine.getSession().getPacketBufferSize()).compact();
      }
      int n = rawIn.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
      if (n < 0) {
        return false;
      }
      netIn.position(netIn.position() + n);
      return true;
    } finally {
      netIn.flip();
    }
  }

  /** A larger buffer with the same pending data; {@code b} is in read mode and so is the result. */
  private static ByteBuffer growReadMode(ByteBuffer b, int atLeast) {
    return ByteBuffer.allocate(Math.max(b.capacity() * 2, b.capacity() + atLeast)).put(b).flip();
  }

  /**
   * Returns the plaintext of as many records as are already buffered and fit, blocking only for the
   * first. Peers such as Go's crypto/tls send small records (v2ray writes 2 KiB at a time), so
   * handing them back one per call would cost the caller a write per record. When the caller's
   * array has room for a whole record the engine decrypts straight into it.
   */
  private int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    readLock.lock();
    try {
      int total = Math.min(len, appIn.remaining());
      appIn.get(b, off, total);
      if (total == 0 && readFailure != null) {
        throw readFailure;
      }
      int appSize = engine.getSession().getApplicationBufferSize();
      while (total < len && !inboundDone && readFailure == null) {
        boolean block = total == 0;
        boolean direct = len - total >= appSize;
        ByteBuffer dst;
        if (direct) {
          dst = view(b, off + total, len - total);
        } else {
          dst = appIn.compact();
        }
        SSLEngineResult r;
        try {
          r = engine.unwrap(netIn, dst);
        } catch (SSLException e) {
          if (block) {
            throw e;
          }
          readFailure = e; // hand over what came before the bad record first
          return total;
        } finally {
          if (!direct) {
            appIn.flip();
          }
        }
        switch (r.getStatus()) {
          case BUFFER_UNDERFLOW -> {
            if (!block) {
              return total;
            }
            if (!readMore()) {
              // A carrier that ends without close_notify is treated as end of stream: proxied
              // peers often just close, and the relay propagates the end either way.
              inboundDone = true;
            }
            continue;
          }
          case BUFFER_OVERFLOW -> {
            if (direct) {
              appSize = Math.max(appSize, len - total + 1); // too small after all: use appIn
            } else {
              appIn = growReadMode(appIn, engine.getSession().getApplicationBufferSize());
            }
            continue;
          }
          case CLOSED -> inboundDone = true;
          default -> {}
        }
        if (direct) {
          total += r.bytesProduced();
        } else {
          int n = Math.min(len - total, appIn.remaining());
          appIn.get(b, off + total, n);
          total += n;
        }
        answerPostHandshake(r.getHandshakeStatus());
      }
      return total == 0 ? -1 : total;
    } finally {
      readLock.unlock();
    }
  }

  /**
   * {@code b[off, off + len)} as a buffer, reusing the last one when the caller reuses its array.
   */
  private ByteBuffer view(byte[] b, int off, int len) {
    ByteBuffer v = callerView;
    if (v.array() != b) {
      v = ByteBuffer.wrap(b);
      callerView = v;
    }
    return v.limit(off + len).position(off);
  }

  /** TLS 1.3 key updates and TLS 1.2 close_notify replies ask for a wrap while reading. */
  private void answerPostHandshake(HandshakeStatus hs) throws IOException {
    while (true) {
      switch (hs) {
        case NEED_TASK -> hs = runTasks();
        case NEED_WRAP -> {
          writeLock.lock();
          try {
            if (engine.isOutboundDone() || outputDetached) {
              return; // after detachOutput no TLS record may enter the caller's raw stream
            }
            SSLEngineResult r = wrapOnce(EMPTY);
            flushNetOut();
            hs = r.getHandshakeStatus();
          } finally {
            writeLock.unlock();
          }
        }
        default -> {
          return;
        }
      }
    }
  }

  private void write(byte[] b, int off, int len) throws IOException {
    writeLock.lock();
    try {
      ByteBuffer src = ByteBuffer.wrap(b, off, len);
      int packet = engine.getSession().getPacketBufferSize();
      while (src.hasRemaining()) {
        SSLEngineResult r = wrapOnce(src);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
          throw new IOException("TLS output is closed");
        }
        if (netOut.remaining() < packet) {
          flushNetOut();
        }
      }
      flushNetOut();
    } finally {
      writeLock.unlock();
    }
  }

  // ---- Detaching (XTLS Vision's direct copy) ----
  // A peer may stop using TLS in one direction and carry the rest of that direction raw on the
  // same carrier, right after its last TLS record. These methods hand a direction over; the other
  // one keeps working through TLS until it is detached too.

  /**
   * What is left of the input once it is detached: the carrier, then the plaintext of the last
   * record(s) decrypted but not yet read, then carrier bytes already read but not decrypted (they
   * follow the last TLS record and belong to the raw stream), in that order.
   */
  @SuppressWarnings("ArrayRecordComponent") // handed over once, never compared
  public record Detached(Conn carrier, byte[] plaintext, byte[] undecrypted) {
    /** The raw stream: {@code plaintext}, then {@code undecrypted}, then the carrier's input. */
    public InputStream stream() {
      return new DetachedInput(plaintext, undecrypted, carrier.in());
    }
  }

  /**
   * Reads plaintext without ever decrypting past the record that holds the first byte returned:
   * returns bytes already decrypted if there are any, else decrypts exactly one record (more only
   * when a record carries no application data). A caller that may {@link #detachInput} after a
   * record reads with this, so the raw bytes after that record are never taken for TLS.
   */
  public int readWithinRecord(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    requireInput();
    if (len == 0) {
      return 0;
    }
    readLock.lock();
    try {
      while (!appIn.hasRemaining()) {
        if (readFailure != null) {
          throw readFailure;
        }
        if (inboundDone) {
          return -1;
        }
        SSLEngineResult r = unwrapOnce();
        if (r == null) {
          inboundDone = true; // as read(): a carrier ending without close_notify ends the stream
          continue;
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
          inboundDone = true;
        }
        answerPostHandshake(r.getHandshakeStatus());
      }
      int n = Math.min(len, appIn.remaining());
      appIn.get(b, off, n);
      return n;
    } finally {
      readLock.unlock();
    }
  }

  /**
   * Stops reading through TLS and hands over what the input has buffered (see {@link Detached});
   * reads through {@link #in()} fail afterwards. Detach only at a record boundary the peer chose
   * (after reading with {@link #readWithinRecord}).
   */
  public Detached detachInput() throws IOException {
    readLock.lock();
    try {
      requireInput();
      inputDetached = true;
      byte[] plaintext = new byte[appIn.remaining()];
      appIn.get(plaintext);
      byte[] undecrypted = new byte[netIn.remaining()];
      netIn.get(undecrypted);
      appIn = ByteBuffer.allocate(0);
      netIn = ByteBuffer.allocate(0);
      return new Detached(raw, plaintext, undecrypted);
    } finally {
      readLock.unlock();
    }
  }

  /**
   * Flushes every pending TLS record, then stops writing through TLS and returns the carrier:
   * whatever is written to it next follows the last TLS record raw. Writes through {@link #out()}
   * fail afterwards, and {@link #shutdownOutput} only half-closes the carrier (no close_notify).
   */
  public Conn detachOutput() throws IOException {
    writeLock.lock();
    try {
      requireOutput();
      flushNetOut();
      outputDetached = true;
      return raw;
    } finally {
      writeLock.unlock();
    }
  }

  /** Detaches both directions ({@link #detachOutput} first, then {@link #detachInput}). */
  public Detached detach() throws IOException {
    detachOutput();
    return detachInput();
  }

  public boolean inputDetached() {
    return inputDetached;
  }

  public boolean outputDetached() {
    return outputDetached;
  }

  private void requireInput() throws IOException {
    if (inputDetached) {
      throw new IOException("TLS input was detached: its bytes are read raw from the carrier");
    }
  }

  private void requireOutput() throws IOException {
    if (outputDetached) {
      throw new IOException("TLS output was detached: bytes are written raw to the carrier");
    }
  }

  /** Leftover plaintext, then leftover ciphertext-side bytes, then the carrier. */
  private static final class DetachedInput extends InputStream {
    private final byte[][] parts;
    private final InputStream carrier;
    private int part;
    private int pos;

    DetachedInput(byte[] plaintext, byte[] undecrypted, InputStream carrier) {
      this.parts = new byte[][] {plaintext, undecrypted};
      this.carrier = carrier;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      while (part < parts.length) {
        byte[] p = parts[part];
        if (pos < p.length) {
          int n = Math.min(len, p.length - pos);
          System.arraycopy(p, pos, b, off, n);
          pos += n;
          return n;
        }
        parts[part++] = null; // done with it: let it go
        pos = 0;
      }
      return carrier.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return part < parts.length ? parts[part].length - pos : carrier.available();
    }

    @Override
    public void close() throws IOException {
      carrier.close();
    }
  }

  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      requireInput();
      return TlsConn.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      requireInput();
      return TlsConn.this.read(b, off, len);
    }

    @Override
    public int available() {
      return appIn.remaining();
    }

    @Override
    public void close() throws IOException {
      TlsConn.this.close();
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      requireOutput();
      TlsConn.this.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      requireOutput();
      TlsConn.this.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      TlsConn.this.close();
    }
  }
}
