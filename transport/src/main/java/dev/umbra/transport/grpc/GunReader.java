package dev.umbra.transport.grpc;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;

/**
 * Decodes gun messages from a byte stream, yielding the payload bytes as a stream. Streams through
 * each message (nothing buffered), skips unknown protobuf fields as the protobuf rules say, and
 * refuses compressed messages, messages over {@link Gun#MAX_MESSAGE}, malformed varints and fields
 * that overrun their message.
 */
public final class GunReader extends InputStream {
  private final InputStream in;
  private final int maxMessage;
  private long messageLeft;
  private long fieldLeft;

  public GunReader(InputStream in) {
    this(in, Gun.MAX_MESSAGE);
  }

  public GunReader(InputStream in, int maxMessage) {
    this.in = in;
    this.maxMessage = maxMessage;
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
    while (true) {
      if (fieldLeft > 0) {
        int n = in.read(b, off, (int) Math.min(len, fieldLeft));
        if (n < 0) {
          throw new EOFException("gun: stream ended inside a message");
        }
        fieldLeft -= n;
        messageLeft -= n;
        return n;
      }
      if (messageLeft > 0) {
        nextField();
        continue;
      }
      int first = in.read();
      if (first < 0) {
        return -1;
      }
      if (first != 0) {
        throw new ProtocolException("gun: compressed or unknown message flag " + first);
      }
      long length = 0;
      for (int i = 0; i < 4; i++) {
        int x = in.read();
        if (x < 0) {
          throw new EOFException("gun: stream ended inside a message prefix");
        }
        length = (length << 8) | x;
      }
      if (length > maxMessage) {
        throw new ProtocolException("gun: message of " + length + " bytes exceeds " + maxMessage);
      }
      messageLeft = length;
    }
  }

  /** Reads one field header; field 1 (bytes) becomes the payload, other fields are skipped. */
  private void nextField() throws IOException {
    long tag = varint();
    int wire = (int) (tag & 7);
    long field = tag >>> 3;
    if (field == 0) {
      throw new ProtocolException("gun: protobuf field number 0");
    }
    switch (wire) {
      case 0 -> varint();
      case 1 -> skipField(8);
      case 5 -> skipField(4);
      case 2 -> {
        long n = varint();
        if (n > messageLeft) {
          throw new ProtocolException("gun: field of " + n + " bytes overruns its message");
        }
        if (field == 1) {
          fieldLeft = n;
        } else {
          skipField(n);
        }
      }
      default -> throw new ProtocolException("gun: protobuf wire type " + wire);
    }
  }

  private void skipField(long n) throws IOException {
    if (n > messageLeft) {
      throw new ProtocolException("gun: field overruns its message");
    }
    for (long i = 0; i < n; i++) {
      byteInMessage();
    }
  }

  private int byteInMessage() throws IOException {
    if (messageLeft <= 0) {
      throw new ProtocolException("gun: field header overruns its message");
    }
    int x = in.read();
    if (x < 0) {
      throw new EOFException("gun: stream ended inside a message");
    }
    messageLeft--;
    return x;
  }

  /** A protobuf base-128 varint of at most 10 bytes (64 bits). */
  private long varint() throws IOException {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      int x = byteInMessage();
      if (shift == 63 && (x & 0xFE) != 0) {
        throw new ProtocolException("gun: varint overflows 64 bits");
      }
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        if (v < 0) {
          throw new ProtocolException("gun: varint out of range");
        }
        return v;
      }
    }
    throw new ProtocolException("gun: varint longer than 10 bytes");
  }
}
