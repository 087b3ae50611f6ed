package dev.umbra.tor.cell;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/** A bounds-checked reader over a byte array: any overrun is a {@link TorProtocolException}. */
public final class Bytes {
  private final ByteBuffer buf;
  private final String what;

  public Bytes(byte[] data, String what) {
    this(data, 0, data.length, what);
  }

  public Bytes(byte[] data, int offset, int length, String what) {
    this.buf = ByteBuffer.wrap(data, offset, length);
    this.what = what;
  }

  public int u8() throws TorProtocolException {
    try {
      return buf.get() & 0xFF;
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
  }

  public int u16() throws TorProtocolException {
    try {
      return buf.getShort() & 0xFFFF;
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
  }

  public long u32() throws TorProtocolException {
    try {
      return buf.getInt() & 0xFFFFFFFFL;
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
  }

  public byte[] take(int n) throws TorProtocolException {
    if (n < 0 || n > buf.remaining()) {
      throw truncated();
    }
    byte[] b = new byte[n];
    buf.get(b);
    return b;
  }

  public int remaining() {
    return buf.remaining();
  }

  public int position() {
    return buf.position();
  }

  public byte[] rest() {
    byte[] b = new byte[buf.remaining()];
    buf.get(b);
    return b;
  }

  private TorProtocolException truncated() {
    return new TorProtocolException(what + ": truncated");
  }
}
