package dev.umbra.transport.grpc;

import java.io.IOException;
import java.io.OutputStream;

/** Encodes writes as gun messages, each written to the stream in one piece (one DATA frame). */
public final class GunWriter extends OutputStream {
  private final OutputStream out;
  private final byte[] buffer = new byte[Gun.MAX_HEADER + Gun.MAX_CHUNK];

  public GunWriter(OutputStream out) {
    this.out = out;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      int n = Math.min(len, Gun.MAX_CHUNK);
      int h = Gun.header(buffer, n);
      System.arraycopy(b, off, buffer, h, n);
      out.write(buffer, 0, h + n);
      off += n;
      len -= n;
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }
}
