package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.LayeredConn;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One Mux.Cool sub-connection (v2ray's multiplexing, which the v2ray-plugin server always expects)
 * alone on its carrier: a New frame with the first data, Keep frames after it. The plugin server
 * sends every sub-connection to its fixed upstream, so the target written in the New frame is only
 * a placeholder (127.0.0.1 and the server's port, as v2ray-plugin's client writes).
 */
final class MuxCoolConn extends LayeredConn {
  static final int SESSION_ID = 1;
  static final int STATUS_NEW = 1;
  static final int STATUS_KEEP = 2;
  static final int STATUS_END = 3;
  static final int STATUS_KEEPALIVE = 4;
  static final int OPTION_DATA = 1;

  /** Largest data we put in one frame. */
  static final int MAX_DATA = 16384;

  /** Longest frame metadata we accept (a New frame with a 255-byte domain fits). */
  static final int MAX_METADATA = 512;

  private final int targetPort;
  private final OutputStream out;
  private final InputStream in;
  private boolean opened;
  private boolean ended;

  MuxCoolConn(Conn carrier, int targetPort) {
    super(carrier);
    this.targetPort = targetPort;
    this.out = new FrameOutput();
    this.in = new FrameInput();
  }

  /** A frame: metadata length, metadata, and when {@code len > 0} the data with its length. */
  static byte[] frame(int status, int targetPort, byte[] b, int off, int len) {
    int meta = 4 + (status == STATUS_NEW ? 1 + 2 + 1 + 4 : 0);
    byte[] f = new byte[2 + meta + (len > 0 ? 2 + len : 0)];
    int p = 0;
    f[p++] = (byte) (meta >>> 8);
    f[p++] = (byte) meta;
    f[p++] = (byte) (SESSION_ID >>> 8);
    f[p++] = (byte) SESSION_ID;
    f[p++] = (byte) status;
    f[p++] = (byte) (len > 0 ? OPTION_DATA : 0);
    if (status == STATUS_NEW) {
      f[p++] = 0x01; // TCP
      f[p++] = (byte) (targetPort >>> 8);
      f[p++] = (byte) targetPort;
      f[p++] = 0x01; // IPv4 127.0.0.1
      f[p++] = 127;
      f[p++] = 0;
      f[p++] = 0;
      f[p++] = 1;
    }
    if (len > 0) {
      f[p++] = (byte) (len >>> 8);
      f[p++] = (byte) len;
      System.arraycopy(b, off, f, p, len);
    }
    return f;
  }

  private final class FrameOutput extends OutputStream {
    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      do {
        int n = Math.min(len, MAX_DATA);
        carrier.out().write(frame(opened ? STATUS_KEEP : STATUS_NEW, targetPort, b, off, n));
        opened = true;
        off += n;
        len -= n;
      } while (len > 0);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
      carrier.out().flush();
    }
  }

  private final class FrameInput extends InputStream {
    private final DataInputStream data = new DataInputStream(carrier.in());
    private int remaining;

    /** Reads frames until data for our session is due; false at its end. */
    private boolean nextData() throws IOException {
      while (remaining == 0) {
        if (ended) {
          return false;
        }
        int metaLength;
        try {
          metaLength = data.readUnsignedShort();
        } catch (EOFException e) {
          ended = true;
          return false;
        }
        if (metaLength < 4 || metaLength > MAX_METADATA) {
          throw new ShadowsocksException("mux frame with metadata length " + metaLength);
        }
        byte[] meta = new byte[metaLength];
        data.readFully(meta);
        int id = ((meta[0] & 0xff) << 8) | (meta[1] & 0xff);
        int status = meta[2] & 0xff;
        boolean hasData = (meta[3] & OPTION_DATA) != 0;
        int length = hasData ? data.readUnsignedShort() : 0;
        switch (status) {
          case STATUS_KEEP -> {
            if (id == SESSION_ID) {
              remaining = length;
              continue;
            }
            data.skipNBytes(length);
          }
          case STATUS_END -> {
            data.skipNBytes(length);
            if (id == SESSION_ID) {
              ended = true;
              return false;
            }
          }
          case STATUS_KEEPALIVE -> data.skipNBytes(length);
          default -> throw new ShadowsocksException("mux frame with status " + status);
        }
      }
      return true;
    }

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
      if (!nextData()) {
        return -1;
      }
      int n = data.read(b, off, Math.min(len, remaining));
      if (n < 0) {
        throw new ShadowsocksException("mux server closed inside a frame");
      }
      remaining -= n;
      return n;
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

  /** Mux.Cool has no half-close: its End frame ends both directions of the sub-connection. */
  @Override
  public void shutdownOutput() {}

  @Override
  public void close() throws IOException {
    // The sub-connection is alone on its carrier: closing the carrier ends it (no End frame,
    // which could interleave with a writer blocked mid-frame).
    carrier.close();
  }
}
