package dev.umbra.proxy.shadowsocks;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import javax.crypto.AEADBadTagException;

/**
 * Plaintext view of a Shadowsocks AEAD stream: reads whole chunks from the carrier, opens them in
 * one reused buffer (bounded by the codec's chunk size) and hands out their payload. A bad tag or a
 * truncated chunk is an {@link ShadowsocksException}.
 */
public final class AeadInputStream extends InputStream {
  private final InputStream raw;
  private final AeadStreamCodec codec;
  private final byte[] buf;
  private int pos;
  private int limit;
  private boolean eof;
  private int expected = -1;

  public AeadInputStream(InputStream raw, AeadStreamCodec codec) {
    this.raw = raw;
    this.codec = codec;
    this.buf = new byte[codec.maxPayload() + AeadStreamCodec.TAG];
  }

  /** Reads and opens {@code len} sealed bytes without a length prefix (SIP022 headers). */
  public byte[] readRaw(int len) throws IOException {
    byte[] b = new byte[len + AeadStreamCodec.TAG];
    if (!readFully(raw, b, 0, b.length)) {
      throw new EOFException("stream ended inside a header");
    }
    try {
      codec.openPayload(b, 0, len);
    } catch (AEADBadTagException e) {
      throw new ShadowsocksException("header authentication failed", e);
    }
    return java.util.Arrays.copyOf(b, len);
  }

  /** The next chunk is a payload of {@code len} bytes without a length chunk (SIP022 response). */
  public void expectPayload(int len) {
    this.expected = len;
  }

  private boolean fill() throws IOException {
    while (pos == limit) {
      if (eof) {
        return false;
      }
      if (expected >= 0) {
        int len = expected;
        expected = -1;
        if (!readFully(raw, buf, 0, len + AeadStreamCodec.TAG)) {
          throw new EOFException("stream ended inside the first chunk");
        }
        try {
          codec.openPayload(buf, 0, len);
        } catch (AEADBadTagException e) {
          throw new ShadowsocksException("chunk authentication failed", e);
        }
        pos = 0;
        limit = len;
        continue;
      }
      byte[] head = new byte[2 + AeadStreamCodec.TAG];
      int first = raw.read(head, 0, head.length);
      if (first < 0) {
        eof = true;
        return false;
      }
      if (!readFully(raw, head, first, head.length - first)) {
        throw new EOFException("stream ended inside a chunk length");
      }
      try {
        int len = codec.openLength(head, 0);
        if (!readFully(raw, buf, 0, len + AeadStreamCodec.TAG)) {
          throw new EOFException("stream ended inside a chunk");
        }
        codec.openPayload(buf, 0, len);
        pos = 0;
        limit = len;
      } catch (AEADBadTagException e) {
        throw new ShadowsocksException("chunk authentication failed", e);
      }
    }
    return true;
  }

  private static boolean readFully(InputStream in, byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = in.read(b, off, len);
      if (n < 0) {
        return false;
      }
      off += n;
      len -= n;
    }
    return true;
  }

  @Override
  public int read() throws IOException {
    if (!fill()) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return limit - pos;
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
