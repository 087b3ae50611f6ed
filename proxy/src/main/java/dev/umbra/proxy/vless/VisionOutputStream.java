package dev.umbra.proxy.vless;

import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;

/**
 * The sending side of Vision (Xray-core proxy/proxy.go VisionWriter): pads writes while the inner
 * TLS handshake runs and ends padding at the first inner application data record (or after the
 * filter gives up on non-TLS traffic). Umbra always ends with {@link VisionPadding#END}: the bytes
 * after it stay inside the outer TLS (what Xray itself sends when XTLS is not enabled), never
 * {@link VisionPadding#DIRECT}.
 */
final class VisionOutputStream extends OutputStream {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OutputStream out;
  private final VisionFilter filter = new VisionFilter();
  private byte[] uuid;
  private boolean padding = true;

  VisionOutputStream(OutputStream out, byte[] uuid) {
    this.out = out;
    this.uuid = uuid.clone();
  }

  /** An empty padded block, as the client sends when it has no first data. */
  synchronized void writeEmpty() throws IOException {
    if (padding) {
      out.write(block(VisionPadding.CONTINUE, new byte[0], 0, 0, true));
    }
  }

  private byte[] block(int command, byte[] b, int off, int len, boolean longPadding) {
    byte[] f =
        VisionPadding.block(
            uuid, command, b, off, len, VisionPadding.paddingLength(len, longPadding, RANDOM));
    uuid = null;
    return f;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    if (!padding) {
      out.write(b, off, len);
      return;
    }
    filter.inspect(b, off, len);
    boolean longPadding = filter.tls;
    int end = off + len;
    while (off < end) {
      int n = Math.min(end - off, VisionPadding.MAX_CONTENT);
      boolean last = off + n == end;
      if (filter.tls && VisionFilter.applicationData(b, off, n)) {
        out.write(block(last ? VisionPadding.END : VisionPadding.CONTINUE, b, off, n, true));
        padding = false;
        longPadding = false;
      } else if (!filter.tls12OrAbove && filter.packetsToFilter <= 1) {
        padding = false;
        out.write(block(VisionPadding.END, b, off, n, longPadding));
        off += n;
        if (off < end) {
          out.write(b, off, end - off);
        }
        return;
      } else {
        int command = last && !padding ? VisionPadding.END : VisionPadding.CONTINUE;
        out.write(block(command, b, off, n, longPadding));
      }
      off += n;
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
