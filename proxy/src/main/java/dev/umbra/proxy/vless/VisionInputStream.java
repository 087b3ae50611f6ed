package dev.umbra.proxy.vless;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.security.MessageDigest;

/**
 * The receiving side of Vision (Xray-core proxy/proxy.go VisionReader and XtlsUnpadding): the
 * peer's first bytes are our UUID, then blocks of {@code command content_len padding_len content
 * padding}. Continue blocks repeat; after {@code end} the rest of the stream is read unpadded from
 * the outer TLS; after {@code direct} the outer TLS input is detached and the rest is what it had
 * buffered (plaintext of the same record, then bytes read past it) followed by the raw carrier. The
 * content of each block is one packet for the shared {@link VisionFilter}, as in Xray.
 *
 * <p>Blocks are read from {@code padded}, which must never read past the TLS record holding the
 * bytes it returns (TlsConn#readWithinRecord), since the bytes after a direct block's record are
 * not TLS.
 */
final class VisionInputStream extends InputStream {
  /** Detaches the outer TLS input and returns the raw stream that follows it. */
  @FunctionalInterface
  interface Direct {
    InputStream detach() throws IOException;
  }

  private final DataInputStream padded;
  private final InputStream afterEnd;
  private final Direct direct;
  private final byte[] uuid;
  private final VisionFilter filter;
  private final boolean response;
  private InputStream raw;
  private volatile boolean rawIsDirect;
  private boolean started;
  private byte[] content = new byte[0];
  private int pos;
  private int lim;

  /**
   * @param afterEnd the outer TLS stream read after {@code end} (may read ahead)
   * @param response whether the VLESS response header comes first (the client side)
   */
  VisionInputStream(
      InputStream padded,
      InputStream afterEnd,
      Direct direct,
      byte[] uuid,
      VisionFilter filter,
      boolean response) {
    this.padded = new DataInputStream(padded);
    this.afterEnd = afterEnd;
    this.direct = direct;
    this.uuid = uuid.clone();
    this.filter = filter;
    this.response = response;
  }

  /** Whether this direction switched to direct copy (raw below the outer TLS). */
  boolean direct() {
    return rawIsDirect;
  }

  /** Reads the next block; false at the end of the stream between blocks. */
  private boolean nextBlock() throws IOException {
    if (!started) {
      if (response) {
        Vless.readResponse(padded);
      }
      int first = padded.read();
      if (first < 0) {
        return false;
      }
      byte[] got = new byte[16];
      got[0] = (byte) first;
      padded.readFully(got, 1, 15);
      if (!MessageDigest.isEqual(got, uuid)) {
        throw new ProtocolException("vision: first block does not carry the user's UUID");
      }
      started = true;
    }
    int command = padded.read();
    if (command < 0) {
      return false; // the peer ended between blocks
    }
    if (command > VisionPadding.DIRECT) {
      throw new ProtocolException("vision: unknown command " + command);
    }
    try {
      int length = padded.readUnsignedShort();
      int padding = padded.readUnsignedShort();
      if (content.length < length) {
        content = new byte[Math.max(length, VisionPadding.BUFFER)];
      }
      padded.readFully(content, 0, length);
      padded.skipNBytes(padding);
      pos = 0;
      lim = length;
    } catch (EOFException e) {
      throw new EOFException("vision: stream ended inside a block");
    }
    if (lim > 0 && filter.active()) {
      filter.inspect(content, 0, lim);
    }
    if (command == VisionPadding.END) {
      raw = afterEnd;
    } else if (command == VisionPadding.DIRECT) {
      // Xray switches whenever the peer says so, whatever our own filter concluded
      raw = direct.detach();
      rawIsDirect = true;
    }
    return true;
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
    while (pos == lim) {
      if (raw != null) {
        int n = raw.read(b, off, len);
        if (n > 0 && !rawIsDirect && filter.active()) {
          filter.inspect(b, off, n);
        }
        return n;
      }
      if (!nextBlock()) {
        return -1;
      }
    }
    int n = Math.min(len, lim - pos);
    System.arraycopy(content, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public void close() throws IOException {
    (raw != null ? raw : padded).close();
  }
}
