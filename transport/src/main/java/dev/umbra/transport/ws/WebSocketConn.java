package dev.umbra.transport.ws;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.LayeredConn;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A byte stream carried in WebSocket binary frames over a carrier. The client masks what it sends;
 * pings are answered, a close frame ends the input and is answered once. Payloads are streamed,
 * never buffered whole, so a frame's length costs no memory.
 */
final class WebSocketConn extends LayeredConn {
  private static final int CHUNK = 32 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final InputStream rawIn;
  private final OutputStream rawOut;
  private final boolean client;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final byte[] writeBuf = new byte[Frames.MAX_HEADER + CHUNK];
  private final InputStream in;
  private final OutputStream out = new Out();
  private boolean closeSent;

  WebSocketConn(Conn carrier, InputStream rawIn, boolean client) {
    super(carrier);
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

  /**
   * Reads through its own buffer: one read from the carrier brings many frames (Go peers send one
   * per 2 KiB write), and one call returns the payload of every frame already buffered that fits.
   */
  private final class In extends InputStream {
    private static final int READ_AHEAD = 64 * 1024;
    // Below this, a read from the carrier goes through the buffer so the next header comes too.
    private static final int DIRECT_READ = 16 * 1024;
    private final byte[] rbuf = new byte[READ_AHEAD];
    private int rpos;
    private int rlim;
    private long remaining; // payload bytes left in the current data frame
    private long position; // offset within the current frame (for unmasking)
    private final byte[] maskKey = new byte[4];
    private final byte[] frameKey = new byte[4];
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
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      int total = 0;
      while (total < len) {
        // Block only for the first byte; after that take just what is already buffered.
        boolean block = total == 0;
        if (remaining == 0) {
          if (eof) {
            break;
          }
          int next = nextDataFrame(block);
          if (next < 0) {
            eof = true;
            break;
          }
          if (next == 0) {
            break;
          }
          continue;
        }
        int want = (int) Math.min(len - total, remaining);
        int n;
        if (rpos < rlim) {
          n = Math.min(want, rlim - rpos);
          System.arraycopy(rbuf, rpos, b, off + total, n);
          rpos += n;
        } else if (!block) {
          break;
        } else if (want >= DIRECT_READ) {
          n = rawIn.read(b, off + total, want);
          if (n < 0) {
            throw new EOFException("connection closed inside a WebSocket frame");
          }
        } else {
          ensure(1, true, "frame");
          continue;
        }
        if (masked) {
          Frames.mask(b, off + total, n, maskKey, position);
        }
        position += n;
        remaining -= n;
        total += n;
      }
      return total == 0 ? -1 : total;
    }

    @Override
    public int available() {
      return (int) Math.min(remaining, rlim - rpos);
    }

    /**
     * Reads frame headers until a data frame starts: 1 when one did, -1 at a close frame or the
     * carrier's end, 0 when (not blocking) the next header is not buffered yet.
     */
    private int nextDataFrame(boolean block) throws IOException {
      while (true) {
        if (rpos == rlim && block && !fillSome()) {
          return -1; // carrier ended without a close frame: treat as end of stream
        }
        if (!ensure(2, block, "frame header")) {
          return 0;
        }
        int b0 = rbuf[rpos] & 0xff;
        int b1 = rbuf[rpos + 1] & 0xff;
        int opcode = b0 & 0x0f;
        boolean m = (b1 & 0x80) != 0;
        if (m == client) {
          throw new ProtocolException(
              client ? "server sent a masked frame" : "client sent an unmasked frame");
        }
        int len7 = b1 & 0x7f;
        int headerSize = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (m ? 4 : 0);
        if (!ensure(headerSize, block, "frame header")) {
          return 0;
        }
        int p = rpos + 2;
        long len = len7;
        if (len7 == 126) {
          len = ((rbuf[p] & 0xff) << 8) | (rbuf[p + 1] & 0xff);
          p += 2;
        } else if (len7 == 127) {
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | (rbuf[p++] & 0xff);
          }
          if (len < 0) {
            throw new ProtocolException("WebSocket frame length out of range");
          }
        }
        byte[] key = frameKey;
        if (m) {
          System.arraycopy(rbuf, p, key, 0, 4);
          p += 4;
        }
        switch (opcode) {
          case Frames.BINARY, Frames.TEXT, Frames.CONTINUATION -> {
            rpos = p;
            masked = m;
            System.arraycopy(key, 0, maskKey, 0, 4);
            remaining = len;
            position = 0;
            if (len > 0) {
              return 1;
            }
          }
          case Frames.PING, Frames.PONG, Frames.CLOSE -> {
            if (len > 125) {
              throw new ProtocolException("WebSocket control frame longer than 125 bytes");
            }
            if (!ensure(headerSize + (int) len, block, "control frame")) {
              return 0;
            }
            byte[] payload = java.util.Arrays.copyOfRange(rbuf, rpos + headerSize, p + (int) len);
            rpos = p + (int) len;
            if (m) {
              Frames.mask(payload, 0, payload.length, key, 0);
            }
            if (opcode == Frames.PING) {
              sendControl(Frames.PONG, payload);
            } else if (opcode == Frames.CLOSE) {
              try {
                sendControl(
                    Frames.CLOSE,
                    payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0]);
              } catch (IOException ignored) {
                // the peer may already be gone
              }
              return -1;
            }
          }
          default -> throw new ProtocolException("unknown WebSocket opcode " + opcode);
        }
      }
    }

    /**
     * True when {@code n} bytes are buffered; when blocking, reads until they are (failing at the
     * carrier's end inside {@code what}); when not, false instead of reading.
     */
    private boolean ensure(int n, boolean block, String what) throws IOException {
      if (rlim - rpos >= n) {
        return true;
      }
      if (!block) {
        return false;
      }
      while (rlim - rpos < n) {
        if (!fillSome()) {
          throw new EOFException("connection closed inside a WebSocket " + what);
        }
      }
      return true;
    }

    /** One read from the carrier into the buffer (compacted first); false at its end. */
    private boolean fillSome() throws IOException {
      if (rpos > 0) {
        System.arraycopy(rbuf, rpos, rbuf, 0, rlim - rpos);
        rlim -= rpos;
        rpos = 0;
      }
      int r = rawIn.read(rbuf, rlim, rbuf.length - rlim);
      if (r < 0) {
        return false;
      }
      rlim += r;
      return true;
    }
  }
}
