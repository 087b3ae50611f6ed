package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.relay.FramedOutput;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Seals everything written into Shadowsocks AEAD chunks, several chunks per carrier write. An
 * optional raw prefix (the salt, and for SIP022 the sealed request header) goes out with the first
 * chunk, in the same carrier write. One sealing buffer, reused: it holds one chunk at first and
 * grows once to hold 64 KiB of payload as whole chunks when a write brings more than one chunk's
 * worth, so a relay write (whole chunks, see {@link FramedOutput}) is one carrier write.
 */
public final class AeadOutputStream extends OutputStream implements FramedOutput {
  /** Payload per carrier write once data flows in bulk. */
  private static final int BULK = 64 * 1024;

  private final OutputStream raw;
  private final AeadStreamCodec codec;
  private byte[] buf;
  private boolean grown;
  private byte[] prefix;

  public AeadOutputStream(OutputStream raw, AeadStreamCodec codec, byte[] prefix) {
    this.raw = raw;
    this.codec = codec;
    this.prefix = prefix;
    this.buf = new byte[(prefix == null ? 0 : prefix.length) + frame(codec.maxPayload())];
  }

  @Override
  public int framePayload() {
    return codec.maxPayload();
  }

  private static int frame(int payload) {
    return payload + AeadStreamCodec.OVERHEAD;
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
    if (len > codec.maxPayload() && !grown) {
      grown = true;
      // Rounded up: the relay's bulk write is whole chunks (FramedOutput), but another writer's
      // 64 KiB would be 4 full chunks and a runt that should not take a system call of its own.
      int chunks = (BULK + codec.maxPayload() - 1) / codec.maxPayload();
      int room = (prefix == null ? 0 : prefix.length) + chunks * frame(codec.maxPayload());
      buf = new byte[Math.max(buf.length, room)];
    }
    while (len > 0) {
      int pos = 0;
      if (prefix != null) {
        byte[] p = prefix;
        prefix = null;
        if (p.length + frame(Math.min(len, codec.maxPayload())) > buf.length) {
          raw.write(p); // a prefix larger than planned (set late): its own write
        } else {
          System.arraycopy(p, 0, buf, 0, p.length);
          pos = p.length;
        }
      }
      // As many whole chunks as fit, then one carrier write.
      do {
        int n = Math.min(len, codec.maxPayload());
        pos += codec.sealChunk(b, off, n, buf, pos);
        off += n;
        len -= n;
      } while (len > 0 && buf.length - pos >= frame(Math.min(len, codec.maxPayload())));
      raw.write(buf, 0, pos);
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
