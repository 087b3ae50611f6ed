package dev.umbra.proxy.mux;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.StreamConn;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;

/**
 * sing-mux's padding layer (sagernet/sing-mux padding.go): each of the first 16 writes of a session
 * becomes {@code u16 data_len, u16 padding_len, data, padding} with 256..767 bytes of zero padding;
 * the first 16 frames read are unpadded the same way; after that the bytes pass through.
 */
public final class Padding {
  static final int PADDED_FRAMES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Padding() {}

  /** {@code carrier} with the padding layer: the returned connection's streams pad and unpad. */
  public static Conn wrap(Conn carrier) {
    return new StreamConn(
        carrier,
        new In(new DataInputStream(carrier.in())),
        new Out(carrier),
        carrier::shutdownOutput);
  }

  /** One padded frame: header, the data, {@code paddingLength} zeros. */
  public static byte[] frame(byte[] b, int off, int len, int paddingLength) {
    if (len > 0xffff || paddingLength > 0xffff) {
      throw new IllegalArgumentException("frame too large");
    }
    byte[] f = new byte[4 + len + paddingLength];
    f[0] = (byte) (len >>> 8);
    f[1] = (byte) len;
    f[2] = (byte) (paddingLength >>> 8);
    f[3] = (byte) paddingLength;
    System.arraycopy(b, off, f, 4, len);
    return f;
  }

  private static final class Out extends OutputStream {
    private final Conn carrier;
    private int written;

    Out(Conn carrier) {
      this.carrier = carrier;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      while (written < PADDED_FRAMES && len > 0) {
        int n = Math.min(len, 0xffff);
        carrier.out().write(frame(b, off, n, 256 + RANDOM.nextInt(512)));
        written++;
        off += n;
        len -= n;
      }
      if (len > 0) {
        carrier.out().write(b, off, len);
      }
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

  private static final class In extends InputStream {
    private final DataInputStream in;
    private int framesRead;
    private int dataRemaining;
    private int paddingRemaining;

    In(DataInputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (dataRemaining == 0) {
        if (paddingRemaining > 0) {
          in.skipNBytes(paddingRemaining);
          paddingRemaining = 0;
        }
        if (framesRead >= PADDED_FRAMES) {
          return in.read(b, off, len);
        }
        int first = in.read();
        if (first < 0) {
          return -1;
        }
        dataRemaining = (first << 8) | in.readUnsignedByte();
        paddingRemaining = in.readUnsignedShort();
        framesRead++;
      }
      int n = in.read(b, off, Math.min(len, dataRemaining));
      if (n < 0) {
        throw new java.io.EOFException("sing-mux: stream ended inside a padded frame");
      }
      dataRemaining -= n;
      return n;
    }
  }
}
