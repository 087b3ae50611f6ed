package dev.umbra.proxy.vless;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The sending side of Vision (Xray-core proxy/proxy.go VisionWriter): writes go through {@link
 * VisionEncoder} into the outer TLS while padding; after a {@code direct} block is sent the outer
 * TLS output is detached and every later byte goes raw to the carrier; after {@code end} they go
 * unpadded inside the outer TLS. A {@code prefix} (the VLESS request or response header) goes out
 * in the same write as the first block, as Xray's buffered writer sends it.
 */
final class VisionOutputStream extends OutputStream {
  /** Detaches the outer TLS output and returns the carrier's output. */
  @FunctionalInterface
  interface Direct {
    OutputStream detach() throws IOException;
  }

  private final VisionEncoder encoder;
  private final Direct direct;
  private OutputStream out;
  private byte[] prefix;
  private volatile boolean raw;

  VisionOutputStream(OutputStream tls, Direct direct, VisionEncoder encoder, byte[] prefix) {
    this.out = tls;
    this.direct = direct;
    this.encoder = encoder;
    this.prefix = prefix == null || prefix.length == 0 ? null : prefix.clone();
  }

  /** Whether this direction switched to direct copy (raw below the outer TLS). */
  boolean direct() {
    return raw;
  }

  /** An empty padded block (with the prefix), as the client sends when it has no first data. */
  synchronized void writeEmpty() throws IOException {
    if (encoder.padding()) {
      send(encoder.empty());
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return;
    }
    byte[] padded = encoder.encode(b, off, len);
    if (padded == null) {
      writePrefix();
      out.write(b, off, len);
      return;
    }
    send(padded);
    if (encoder.switchToDirect()) {
      out.flush();
      out = direct.detach();
      raw = true;
    }
  }

  private void send(byte[] block) throws IOException {
    if (prefix == null) {
      out.write(block);
      return;
    }
    byte[] both = new byte[prefix.length + block.length];
    System.arraycopy(prefix, 0, both, 0, prefix.length);
    System.arraycopy(block, 0, both, prefix.length, block.length);
    prefix = null;
    out.write(both);
  }

  /** Sends a prefix still waiting for a first block (before a half-close). */
  synchronized void writePrefix() throws IOException {
    if (prefix != null) {
      byte[] p = prefix;
      prefix = null;
      out.write(p);
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
