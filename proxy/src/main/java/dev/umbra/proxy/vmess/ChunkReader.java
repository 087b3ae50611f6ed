package dev.umbra.proxy.vmess;

import dev.umbra.proxy.shadowsocks.AeadCipher;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import javax.crypto.AEADBadTagException;

/**
 * Reads the chunks {@link ChunkWriter} writes; a bad tag or length ends the connection.
 *
 * <p>The body is all that is left on the carrier, so the reader reads ahead into its own buffer
 * (about one system call per 64 KiB) and one {@link #read(byte[], int, int)} returns every chunk
 * already buffered that fits, decrypted straight into the caller's array. Peers such as v2ray send
 * 2 KiB chunks; returning them one by one would cost the relay a write per chunk.
 */
final class ChunkReader extends InputStream {
  private static final int MAX_CHUNK = 65535 + 64;
  private static final int READ_AHEAD = 64 * 1024;

  private final InputStream in;
  private final AeadCipher payload;
  private final AeadCipher length;
  private final Shake shake;
  private final boolean padded;
  private final boolean masked;
  private final int overhead;
  private final int headerSize;
  private final byte[] nonce = new byte[12];
  private final byte[] lengthNonce = new byte[12];
  private final byte[] lengthPlain = new byte[2];
  // Ciphertext read ahead: raw[rpos, rlim) is pending.
  private final byte[] raw = new byte[READ_AHEAD + MAX_CHUNK];
  private int rpos;
  private int rlim;
  // Plaintext of the last chunk opened into buf and not yet returned: buf[pos, limit).
  private final byte[] buf = new byte[MAX_CHUNK];
  private int pos;
  private int limit;
  private int count;
  private int lengthCount;
  // The next chunk's decoded length (ciphertext incl. tag and padding), or -1 when not yet read.
  private int pendingSize = -1;
  private int pendingPadding;
  private boolean eof;

  ChunkReader(InputStream in, BodyKeys keys) {
    this.in = in;
    boolean aead = keys.security().aead();
    this.payload = aead ? keys.payloadCipher() : null;
    this.overhead = aead ? AeadCipher.TAG_SIZE : 0;
    boolean authLen = aead && keys.has(Options.AUTHENTICATED_LENGTH);
    this.length = authLen ? keys.lengthCipher() : null;
    this.headerSize = authLen ? 18 : 2;
    this.padded = aead && keys.has(Options.GLOBAL_PADDING);
    this.masked = !authLen && keys.has(Options.CHUNK_MASKING);
    this.shake = padded || masked ? new Shake(keys.iv()) : null;
    System.arraycopy(keys.iv(), 2, nonce, 2, 10);
    System.arraycopy(keys.requestIv(), 2, lengthNonce, 2, 10);
  }

  /**
   * Reads the next chunk into the internal buffer; returns its payload length, or -1 at the end
   * marker or a clean end of the carrier between chunks.
   */
  int nextChunk() throws IOException {
    if (!header(true)) {
      return -1;
    }
    fill(pendingSize, true);
    int n = open(buf, 0);
    if (n < 0) {
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
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int total = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, b, off, total);
    pos += total;
    while (total < len) {
      // Block only for the first byte; after that take just what is already buffered.
      boolean block = total == 0;
      if (!header(block)) {
        break;
      }
      if (rlim - rpos < pendingSize) {
        if (!block) {
          break;
        }
        fill(pendingSize, true);
      }
      int n;
      if (pendingSize - pendingPadding - overhead <= len - total) {
        n = open(b, off + total);
      } else {
        n = open(buf, 0);
        if (n > 0) {
          limit = n;
          n = Math.min(n, len - total);
          System.arraycopy(buf, 0, b, off + total, n);
          pos = n;
        }
      }
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total == 0 ? -1 : total;
  }

  @Override
  public int available() {
    return limit - pos;
  }

  /**
   * Makes sure the next chunk's length is decoded; false at the end of the body, or (when {@code
   * block} is false) when its header is not buffered yet.
   */
  private boolean header(boolean block) throws IOException {
    if (pendingSize >= 0) {
      return true;
    }
    if (eof) {
      return false;
    }
    if (rlim - rpos < headerSize) {
      if (!block) {
        return false;
      }
      if (!fill(headerSize, false)) {
        eof = true;
        return false;
      }
    }
    int padding = padded ? shake.next() % 64 : 0;
    int size;
    if (length != null) {
      lengthNonce[0] = (byte) (lengthCount >> 8);
      lengthNonce[1] = (byte) lengthCount;
      lengthCount++;
      byte[] plain = lengthPlain;
      try {
        length.openWith(lengthNonce, null, raw, rpos, 18, plain, 0);
      } catch (AEADBadTagException e) {
        throw new ProtocolException("VMess chunk length failed authentication");
      }
      size = (((plain[0] & 0xff) << 8) | (plain[1] & 0xff)) + AeadCipher.TAG_SIZE;
    } else {
      int v = ((raw[rpos] & 0xff) << 8) | (raw[rpos + 1] & 0xff);
      size = masked ? (v ^ shake.next()) & 0xffff : v;
    }
    rpos += headerSize;
    if (size - padding < overhead || size > MAX_CHUNK) {
      throw new ProtocolException("bad VMess chunk length " + size);
    }
    pendingSize = size;
    pendingPadding = padding;
    return true;
  }

  /**
   * Opens the pending chunk, whose bytes are buffered, into {@code out}; returns the payload length
   * or -1 for the end marker.
   */
  private int open(byte[] out, int outOff) throws IOException {
    int data = pendingSize - pendingPadding;
    int n;
    if (payload != null) {
      nonce[0] = (byte) (count >> 8);
      nonce[1] = (byte) count;
      count++;
      try {
        n = payload.openWith(nonce, null, raw, rpos, data, out, outOff);
      } catch (AEADBadTagException e) {
        throw new ProtocolException("VMess chunk failed authentication");
      }
    } else {
      System.arraycopy(raw, rpos, out, outOff, data);
      n = data;
    }
    rpos += pendingSize;
    pendingSize = -1;
    if (n == 0) {
      eof = true;
      return -1;
    }
    return n;
  }

  /**
   * Reads until at least {@code need} bytes are buffered, taking whatever else has arrived; false
   * at a clean end of the carrier with nothing buffered (only when {@code inChunk} is false).
   */
  private boolean fill(int need, boolean inChunk) throws IOException {
    if (rlim - rpos >= need) {
      return true;
    }
    if (rpos > 0) {
      System.arraycopy(raw, rpos, raw, 0, rlim - rpos);
      rlim -= rpos;
      rpos = 0;
    }
    while (rlim < need) {
      int r = in.read(raw, rlim, raw.length - rlim);
      if (r < 0) {
        if (rlim == 0 && !inChunk) {
          return false;
        }
        throw new EOFException("connection closed inside a VMess chunk");
      }
      rlim += r;
    }
    return true;
  }
}
