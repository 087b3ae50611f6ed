package dev.umbra.proxy.shadowsocks;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Seals everything written into Shadowsocks AEAD chunks. An optional raw prefix (the salt, and for
 * SIP022 the sealed request header) goes out with the first chunk, in the same carrier write. One
 * sealing buffer, reused.
 */
public final class AeadOutputStream extends OutputStream {
  private final OutputStream raw;
  private final AeadStreamCodec codec;
  private final byte[] buf;
  private byte[] prefix;

  public AeadOutputStream(OutputStream raw, AeadStreamCodec codec, byte[] prefix) {
    this.raw = raw;
    this.codec = codec;
    this.prefix = prefix;
    this.buf = new byte[codec.maxPayload() + AeadStreamCodec.OVERHEAD];
  }

  /** Replaces the raw bytes still to be sent before the first chunk (the caller's lock). */
  synchronized void setPrefix(byte[] p) {
    this.prefix = p;
  }

  synchronized boolean prefixPending() {
    return prefix != null;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = Math.min(len, codec.maxPayload());
      int sealed = codec.sealChunk(b, off, n, buf, 0);
      writePrefixed(sealed);
      off += n;
      len -= n;
    }
  }

  private void writePrefixed(int sealed) throws IOException {
    if (prefix != null) {
      byte[] p = prefix;
      prefix = null;
      byte[] joined = new byte[p.length + sealed];
      System.arraycopy(p, 0, joined, 0, p.length);
      System.arraycopy(buf, 0, joined, p.length, sealed);
      raw.write(joined);
    } else {
      raw.write(buf, 0, sealed);
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  /** Sends a pending prefix even without payload (a server-speaks-first protocol). */
  @Override
  public synchronized void flush() throws IOException {
    if (prefix != null) {
      byte[] p = prefix;
      prefix = null;
      raw.write(p);
    }
    raw.flush();
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
