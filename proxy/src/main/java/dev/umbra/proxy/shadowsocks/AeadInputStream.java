package dev.umbra.proxy.shadowsocks;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/**
 * Plaintext view of a Shadowsocks AEAD stream. Reads from the carrier as much as it offers into one
 * buffer and opens every whole chunk found there; a read whose destination has room for whole
 * payloads gets them opened straight into it (several chunks per call, no extra copy), otherwise a
 * chunk is opened in place and handed out in pieces. The buffer holds one chunk at first and grows
 * once to several when data flows in bulk, so it stays bounded. A bad tag or a truncated chunk is a
 * {@link ShadowsocksException} / {@link EOFException}.
 */
public final class AeadInputStream extends InputStream {
  private static final int LENGTH_CHUNK = 2 + AeadStreamCodec.TAG;

  /** Bulk buffer: 64 KiB of chunks beyond one more whole chunk. */
  private static final int BULK_EXTRA = 64 * 1024;

  private final InputStream raw;
  private final AeadStreamCodec codec;
  private final int frameMax;
  private byte[] buf;
  private boolean grown;

  /** Sealed bytes buffered: buf[rpos..rlim]. */
  private int rpos;

  private int rlim;

  /** Opened plaintext not yet handed out: buf[ppos..plim] (before rpos). */
  private int ppos;

  private int plim;

  /** Length of the payload chunk due next, or -1 when a length chunk is due. */
  private int pending = -1;

  private boolean eof;
  private final byte[] one = new byte[1];

  public AeadInputStream(InputStream raw, AeadStreamCodec codec) {
    this.raw = raw;
    this.codec = codec;
    this.frameMax = LENGTH_CHUNK + codec.maxPayload() + AeadStreamCodec.TAG;
    this.buf = new byte[frameMax];
  }

  /** Reads and opens {@code len} sealed bytes without a length prefix (SIP022 headers). */
  public byte[] readRaw(int len) throws IOException {
    if (len < 0 || len > codec.maxPayload() || !ensure(len + AeadStreamCodec.TAG)) {
      throw new EOFException("stream ended inside a header");
    }
    byte[] out = new byte[len];
    try {
      codec.openPayloadInto(buf, rpos, len, out, 0);
    } catch (AEADBadTagException e) {
      throw new ShadowsocksException("header authentication failed", e);
    }
    rpos += len + AeadStreamCodec.TAG;
    return out;
  }

  /** The next chunk is a payload of {@code len} bytes without a length chunk (SIP022 response). */
  public void expectPayload(int len) {
    this.pending = len;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (ppos < plim) {
      return handOut(b, off, len);
    }
    int produced = 0;
    while (true) {
      // Open whatever whole chunks are buffered, straight into b while they fit.
      while (true) {
        if (pending < 0) {
          if (rlim - rpos < LENGTH_CHUNK) {
            break;
          }
          pending = openLength();
        }
        if (rlim - rpos < pending + AeadStreamCodec.TAG) {
          break;
        }
        int n = pending;
        if (len - produced >= n) {
          openPayload(b, off + produced);
          produced += n;
        } else if (produced == 0) {
          ppos = rpos;
          plim = rpos + n;
          openPayload(buf, rpos);
          return handOut(b, off, len);
        } else {
          return produced;
        }
      }
      if (produced > 0) {
        return produced;
      }
      if (!fill()) {
        if (pending >= 0 || rpos < rlim) {
          throw new EOFException("stream ended inside a chunk");
        }
        return -1;
      }
    }
  }

  private int openLength() throws IOException {
    try {
      int n = codec.openLength(buf, rpos);
      rpos += LENGTH_CHUNK;
      return n;
    } catch (AEADBadTagException e) {
      throw new ShadowsocksException("chunk authentication failed", e);
    }
  }

  private void openPayload(byte[] dst, int dstOff) throws IOException {
    int n = pending;
    try {
      codec.openPayloadInto(buf, rpos, n, dst, dstOff);
    } catch (AEADBadTagException e) {
      throw new ShadowsocksException("chunk authentication failed", e);
    }
    rpos += n + AeadStreamCodec.TAG;
    pending = -1;
  }

  private int handOut(byte[] b, int off, int len) {
    int n = Math.min(len, plim - ppos);
    System.arraycopy(buf, ppos, b, off, n);
    ppos += n;
    return n;
  }

  /** Makes {@code n} sealed bytes available at rpos; false at end of stream. */
  private boolean ensure(int n) throws IOException {
    while (rlim - rpos < n) {
      if (!fill()) {
        return false;
      }
    }
    return true;
  }

  /** One carrier read after the buffered bytes; false at end of stream. */
  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (ppos >= plim) {
      ppos = plim = 0;
      if (rpos == rlim) {
        rpos = rlim = 0;
      } else if (buf.length - rpos < frameMax) {
        // Move the partial chunk to the front so a whole one fits behind it.
        System.arraycopy(buf, rpos, buf, 0, rlim - rpos);
        rlim -= rpos;
        rpos = 0;
      }
    }
    if (rlim == buf.length) {
      return grow();
    }
    int n = raw.read(buf, rlim, buf.length - rlim);
    if (n < 0) {
      eof = true;
      return false;
    }
    if (rlim + n == buf.length && !grown) {
      // The carrier filled the buffer: bulk transfer, read more per system call from now on.
      grow();
    }
    rlim += n;
    return true;
  }

  private boolean grow() {
    if (grown) {
      throw new IllegalStateException("buffer full with less than one chunk");
    }
    grown = true;
    buf = Arrays.copyOf(buf, frameMax + BULK_EXTRA);
    return true;
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  /** Bytes the buffer holds (for tests: it stays bounded whatever the peer sends). */
  int capacity() {
    return buf.length;
  }

  @Override
  public int available() {
    return plim - ppos;
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
