package dev.umbra.transport.ws;

import dev.umbra.core.net.Conn;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A byte stream carried in WebSocket binary frames over a carrier. The client masks what it sends;
 * pings are answered, a close frame ends the input and is answered once. Payloads are streamed,
 * never buffered whole, so a frame's length costs no memory.
 */
final class WebSocketConn implements Conn {
  private static final int CHUNK = 32 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Conn carrier;
  private final InputStream rawIn;
  private final OutputStream rawOut;
  private final boolean client;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final byte[] writeBuf = new byte[Frames.MAX_HEADER + CHUNK];
  private final InputStream in;
  private final OutputStream out = new Out();
  private boolean closeSent;

  WebSocketConn(Conn carrier, InputStream rawIn, boolean client) {
    this.carrier = carrier;
    this.rawIn = rawIn;
    this.rawOut = carrier.out();
    this.client = client;
    this.in = new In();
  }

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return out;
  }

  /**
   * WebSocket has no half-close: a close frame ends both directions, which would cut off data still
   * coming the other way. So, like the Go peers, only flush; the close frame goes at close.
   */
  @Override
  public void shutdownOutput() throws IOException {
    out.flush();
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    carrier.setReadTimeout(millis);
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
  public void close() throws IOException {
    try {
      sendControl(Frames.CLOSE, new byte[] {0x03, (byte) 0xe8}); // 1000 normal closure
    } catch (IOException ignored) {
      // the carrier may already be gone
    } finally {
      carrier.close();
    }
  }

  private void sendControl(int opcode, byte[] payload) throws IOException {
    writeLock.lock();
    try {
      if (closeSent) {
        return;
      }
      if (opcode == Frames.CLOSE) {
        closeSent = true;
      }
      writeFrame(opcode, payload, 0, payload.length);
      rawOut.flush();
    } finally {
      writeLock.unlock();
    }
  }

  /** Writes one frame; the caller holds the write lock. */
  private void writeFrame(int opcode, byte[] b, int off, int len) throws IOException {
    byte[] key = null;
    if (client) {
      key = new byte[4];
      RANDOM.nextBytes(key);
    }
    ByteBuffer h = ByteBuffer.wrap(writeBuf);
    Frames.writeHeader(h, opcode, len, key);
    int hl = h.position();
    System.arraycopy(b, off, writeBuf, hl, len);
    if (key != null) {
      Frames.mask(writeBuf, hl, len, key, 0);
    }
    rawOut.write(writeBuf, 0, hl + len);
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      writeLock.lock();
      try {
        if (closeSent) {
          throw new IOException("WebSocket output already closed");
        }
        while (len > 0) {
          int n = Math.min(len, CHUNK);
          writeFrame(Frames.BINARY, b, off, n);
          off += n;
          len -= n;
        }
      } finally {
        writeLock.unlock();
      }
    }

    @Override
    public void flush() throws IOException {
      writeLock.lock();
      try {
        rawOut.flush();
      } finally {
        writeLock.unlock();
      }
    }
  }

  private final class In extends InputStream {
    private long remaining; // payload bytes left in the current data frame
    private long position; // offset within the current frame (for unmasking)
    private final byte[] maskKey = new byte[4];
    private boolean masked;
    private boolean eof;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (remaining == 0) {
        if (eof || !nextDataFrame()) {
          eof = true;
          return -1;
        }
      }
      int n = rawIn.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException("connection closed inside a WebSocket frame");
      }
      if (masked) {
        Frames.mask(b, off, n, maskKey, position);
      }
      position += n;
      remaining -= n;
      return n;
    }

    /** Reads frame headers until a data frame starts; false at a close frame. */
    private boolean nextDataFrame() throws IOException {
      while (true) {
        int b0 = rawIn.read();
        if (b0 < 0) {
          return false; // carrier ended without a close frame: treat as end of stream
        }
        int b1 = readByte();
        int opcode = b0 & 0x0f;
        masked = (b1 & 0x80) != 0;
        if (masked == client) {
          throw new ProtocolException(
              client ? "server sent a masked frame" : "client sent an unmasked frame");
        }
        long len = b1 & 0x7f;
        if (len == 126) {
          len = ((long) readByte() << 8) | readByte();
        } else if (len == 127) {
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | readByte();
          }
          if (len < 0) {
            throw new ProtocolException("WebSocket frame length out of range");
          }
        }
        if (masked) {
          for (int i = 0; i < 4; i++) {
            maskKey[i] = (byte) readByte();
          }
        }
        switch (opcode) {
          case Frames.BINARY, Frames.TEXT, Frames.CONTINUATION -> {
            remaining = len;
            position = 0;
            if (len > 0) {
              return true;
            }
          }
          case Frames.PING, Frames.PONG, Frames.CLOSE -> {
            if (len > 125) {
              throw new ProtocolException("WebSocket control frame longer than 125 bytes");
            }
            byte[] p = new byte[(int) len];
            readFully(p);
            if (masked) {
              Frames.mask(p, 0, p.length, maskKey, 0);
            }
            if (opcode == Frames.PING) {
              sendControl(Frames.PONG, p);
            } else if (opcode == Frames.CLOSE) {
              try {
                sendControl(Frames.CLOSE, p.length >= 2 ? new byte[] {p[0], p[1]} : new byte[0]);
              } catch (IOException ignored) {
                // the peer may already be gone
              }
              return false;
            }
          }
          default -> throw new ProtocolException("unknown WebSocket opcode " + opcode);
        }
      }
    }

    private int readByte() throws IOException {
      int b = rawIn.read();
      if (b < 0) {
        throw new EOFException("connection closed inside a WebSocket frame header");
      }
      return b;
    }

    private void readFully(byte[] p) throws IOException {
      int n = 0;
      while (n < p.length) {
        int r = rawIn.read(p, n, p.length - n);
        if (r < 0) {
          throw new EOFException("connection closed inside a WebSocket control frame");
        }
        n += r;
      }
    }
  }
}
