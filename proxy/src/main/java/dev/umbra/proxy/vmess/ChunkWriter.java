package dev.umbra.proxy.vmess;

import dev.umbra.proxy.shadowsocks.AeadCipher;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;

/**
 * Writes a VMess body as chunks: a length (plain, SHAKE-masked, or AEAD-sealed with authenticated
 * length), the payload (AEAD-sealed, or as is for security none) and optional global padding. An
 * empty chunk ends the stream. Chunks carry at most {@link #MAX_PAYLOAD} bytes; up to {@link
 * #CHUNKS_PER_WRITE} of them go to the carrier in one write.
 */
final class ChunkWriter extends OutputStream {
  static final int MAX_PAYLOAD = 16 * 1024 - 64;
  static final int CHUNKS_PER_WRITE = 4;
  private static final int MAX_CHUNK = 18 + MAX_PAYLOAD + 16 + 64;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OutputStream out;
  private final BodyKeys keys;
  private final AeadCipher payload;
  private final AeadCipher length;
  private final Shake shake;
  private final int overhead;
  private final byte[] nonce = new byte[12];
  private final byte[] lengthNonce = new byte[12];
  private final byte[] buf = new byte[CHUNKS_PER_WRITE * MAX_CHUNK];
  private int count;
  private int lengthCount;
  private boolean closed;

  ChunkWriter(OutputStream out, BodyKeys keys) {
    this.out = out;
    this.keys = keys;
    boolean aead = keys.security().aead();
    this.payload = aead ? keys.payloadCipher() : null;
    this.overhead = aead ? AeadCipher.TAG_SIZE : 0;
    boolean authLen = aead && keys.has(Options.AUTHENTICATED_LENGTH);
    this.length = authLen ? keys.lengthCipher() : null;
    boolean padding = aead && keys.has(Options.GLOBAL_PADDING);
    boolean masking = !authLen && keys.has(Options.CHUNK_MASKING);
    this.shake = padding || masking ? new Shake(keys.iv()) : null;
    System.arraycopy(keys.iv(), 2, nonce, 2, 10);
    System.arraycopy(keys.requestIv(), 2, lengthNonce, 2, 10);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("VMess body already ended");
    }
    while (len > 0) {
      int pos = 0;
      while (len > 0 && pos + MAX_CHUNK <= buf.length) {
        int n = Math.min(len, MAX_PAYLOAD);
        pos = seal(b, off, n, pos);
        off += n;
        len -= n;
      }
      out.write(buf, 0, pos);
    }
  }

  /** Writes one chunk; an empty one marks the end. */
  void chunk(byte[] b, int off, int n) throws IOException {
    out.write(buf, 0, seal(b, off, n, 0));
  }

  /** Seals one chunk into {@code buf} at {@code start}; returns where it ends. */
  private int seal(byte[] b, int off, int n, int start) {
    boolean aead = payload != null;
    int padding = aead && keys.has(Options.GLOBAL_PADDING) ? shake.next() % 64 : 0;
    int size = n + overhead + padding;
    int pos;
    if (length != null) {
      int value = size - AeadCipher.TAG_SIZE;
      buf[start] = (byte) (value >> 8);
      buf[start + 1] = (byte) value;
      lengthNonce[0] = (byte) (lengthCount >> 8);
      lengthNonce[1] = (byte) lengthCount;
      lengthCount++;
      length.sealWith(lengthNonce, null, buf, start, 2, buf, start);
      pos = start + 18;
    } else {
      int v = shake != null && keys.has(Options.CHUNK_MASKING) ? size ^ shake.next() : size;
      buf[start] = (byte) (v >> 8);
      buf[start + 1] = (byte) v;
      pos = start + 2;
    }
    if (aead) {
      nonce[0] = (byte) (count >> 8);
      nonce[1] = (byte) count;
      count++;
      pos += payload.sealWith(nonce, null, b, off, n, buf, pos);
    } else {
      System.arraycopy(b, off, buf, pos, n);
      pos += n;
    }
    if (padding > 0) {
      byte[] p = new byte[padding];
      RANDOM.nextBytes(p);
      System.arraycopy(p, 0, buf, pos, padding);
      pos += padding;
    }
    return pos;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /** Sends the end-of-stream chunk (once) and flushes; the carrier stays open. */
  void finish() throws IOException {
    if (!closed) {
      chunk(new byte[0], 0, 0);
      closed = true;
    }
    out.flush();
  }
}
