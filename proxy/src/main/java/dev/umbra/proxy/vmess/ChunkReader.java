package dev.umbra.proxy.vmess;

import dev.umbra.proxy.shadowsocks.AeadCipher;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import javax.crypto.AEADBadTagException;

/** Reads the chunks {@link ChunkWriter} writes; a bad tag or length ends the connection. */
final class ChunkReader extends InputStream {
  private final InputStream in;
  private final BodyKeys keys;
  private final AeadCipher payload;
  private final AeadCipher length;
  private final Shake shake;
  private final int overhead;
  private final byte[] nonce = new byte[12];
  private final byte[] lengthNonce = new byte[12];
  private final byte[] buf = new byte[65535 + 64];
  private int count;
  private int lengthCount;
  private int pos;
  private int limit;
  private boolean eof;

  ChunkReader(InputStream in, BodyKeys keys) {
    // The body is all that is left on the carrier, so reading ahead is safe; it turns the three
    // reads a chunk needs (first byte, length, payload) into about one system call per 64 KiB.
    this.in = new java.io.BufferedInputStream(in, 1 << 16);
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

  /**
   * Reads the next chunk into the internal buffer; returns its payload length, or -1 at the end
   * marker or a clean end of the carrier between chunks.
   */
  int nextChunk() throws IOException {
    if (eof) {
      return -1;
    }
    boolean aead = payload != null;
    int first = in.read();
    if (first < 0) {
      eof = true;
      return -1;
    }
    buf[0] = (byte) first;
    int padding = aead && keys.has(Options.GLOBAL_PADDING) ? shake.next() % 64 : 0;
    int size;
    if (length != null) {
      readFully(buf, 1, 17);
      lengthNonce[0] = (byte) (lengthCount >> 8);
      lengthNonce[1] = (byte) lengthCount;
      lengthCount++;
      try {
        length.openWith(lengthNonce, null, buf, 0, 18, buf, 0);
      } catch (AEADBadTagException e) {
        throw new ProtocolException("VMess chunk length failed authentication");
      }
      size = (((buf[0] & 0xff) << 8) | (buf[1] & 0xff)) + AeadCipher.TAG_SIZE;
    } else {
      readFully(buf, 1, 1);
      int v = ((buf[0] & 0xff) << 8) | (buf[1] & 0xff);
      size = shake != null && keys.has(Options.CHUNK_MASKING) ? (v ^ shake.next()) & 0xffff : v;
    }
    int data = size - padding;
    if (data < overhead || size > buf.length) {
      throw new ProtocolException("bad VMess chunk length " + size);
    }
    readFully(buf, 0, size);
    int n;
    if (aead) {
      nonce[0] = (byte) (count >> 8);
      nonce[1] = (byte) count;
      count++;
      try {
        n = payload.openWith(nonce, null, buf, 0, data, buf, 0);
      } catch (AEADBadTagException e) {
        throw new ProtocolException("VMess chunk failed authentication");
      }
    } else {
      n = data;
    }
    if (n == 0) {
      eof = true;
      return -1;
    }
    pos = 0;
    limit = n;
    return n;
  }

  /** The payload of the chunk {@link #nextChunk} just read. */
  byte[] chunkBuffer() {
    return buf;
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
    while (pos == limit) {
      if (nextChunk() < 0) {
        return -1;
      }
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  private void readFully(byte[] b, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      int r = in.read(b, off + done, len - done);
      if (r < 0) {
        throw new EOFException("connection closed inside a VMess chunk");
      }
      done += r;
    }
  }
}
