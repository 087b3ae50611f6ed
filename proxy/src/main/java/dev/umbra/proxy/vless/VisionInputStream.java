package dev.umbra.proxy.vless;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.security.MessageDigest;

/**
 * The receiving side of Vision (Xray-core proxy/proxy.go XtlsUnpadding): the peer's first bytes are
 * our UUID, then blocks of {@code command content_len padding_len content padding}; continue blocks
 * repeat, end leaves raw bytes on the same stream. Direct would leave them below the outer TLS,
 * which this stack cannot read: it closes the connection with that reason.
 */
final class VisionInputStream extends InputStream {
  private final DataInputStream in;
  private final byte[] uuid;
  private boolean started;
  private boolean raw;
  private int command;
  private int content;
  private int padding;

  VisionInputStream(InputStream in, byte[] uuid) {
    this.in = new DataInputStream(in);
    this.uuid = uuid.clone();
  }

  /** Moves to the next content byte; false at the end of the stream before any. */
  private boolean next() throws IOException {
    while (!raw && content == 0) {
      if (padding > 0) {
        in.skipNBytes(padding);
        padding = 0;
        if (command != VisionPadding.CONTINUE) {
          return enterRaw();
        }
      }
      if (!started) {
        byte[] got = new byte[16];
        int first = in.read();
        if (first < 0) {
          return false;
        }
        got[0] = (byte) first;
        in.readFully(got, 1, 15);
        if (!MessageDigest.isEqual(got, uuid)) {
          throw new ProtocolException("vision: first block does not carry the user's UUID");
        }
        started = true;
      } else if (command != VisionPadding.CONTINUE) {
        return enterRaw();
      }
      int c = in.read();
      if (c < 0) {
        return false; // the peer ended between blocks
      }
      command = c;
      content = in.readUnsignedShort();
      padding = in.readUnsignedShort();
      if (command > VisionPadding.DIRECT) {
        throw new ProtocolException("vision: unknown command " + command);
      }
      if (content == 0 && padding == 0 && command != VisionPadding.CONTINUE) {
        return enterRaw();
      }
    }
    return true;
  }

  private boolean enterRaw() throws IOException {
    if (command == VisionPadding.DIRECT) {
      throw new ProtocolException(
          "vision: peer switched to direct copy, which Umbra's TLS stack does not support");
    }
    raw = true;
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
    if (len == 0) {
      return 0;
    }
    if (!next()) {
      return -1;
    }
    if (raw) {
      return in.read(b, off, len);
    }
    int n = in.read(b, off, Math.min(len, content));
    if (n < 0) {
      throw new EOFException("vision: stream ended inside a block");
    }
    content -= n;
    return n;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
