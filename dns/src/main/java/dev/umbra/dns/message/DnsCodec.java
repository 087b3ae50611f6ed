package dev.umbra.dns.message;

import java.io.IOException;
import org.xbill.DNS.Message;

/**
 * Bytes to {@link Message} and back on dnsjava's codec, with our own limits in front of it. dnsjava
 * already refuses compression-pointer loops and forward pointers; whatever it throws, including a
 * runtime exception from a bug, becomes one {@link DnsFormatException}.
 */
public final class DnsCodec {
  public static final int HEADER_SIZE = 12;

  private DnsCodec() {}

  public static Message parse(byte[] wire, DnsLimits limits) throws DnsFormatException {
    return parse(wire, 0, wire.length, limits);
  }

  public static Message parse(byte[] wire, int offset, int length, DnsLimits limits)
      throws DnsFormatException {
    if (length < HEADER_SIZE) {
      throw new DnsFormatException("message too short (" + length + " bytes)");
    }
    if (length > limits.maxMessageSize()) {
      throw new DnsFormatException(
          "message of " + length + " bytes exceeds the limit of " + limits.maxMessageSize());
    }
    int total = 0;
    for (int section = 0; section < 4; section++) {
      int count = u16(wire, offset + 4 + 2 * section);
      if (count > limits.maxRecordsPerSection()) {
        throw new DnsFormatException(
            "section "
                + section
                + " claims "
                + count
                + " records (limit "
                + limits.maxRecordsPerSection()
                + ")");
      }
      total += count;
    }
    if (total > limits.maxTotalRecords()) {
      throw new DnsFormatException(
          "message claims " + total + " records (limit " + limits.maxTotalRecords() + ")");
    }
    byte[] exact = wire;
    if (offset != 0 || length != wire.length) {
      exact = java.util.Arrays.copyOfRange(wire, offset, offset + length);
    }
    try {
      return new Message(exact);
    } catch (IOException e) {
      throw new DnsFormatException("malformed message: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new DnsFormatException("malformed message: " + e, e);
    }
  }

  /** The message on the wire, whole. */
  public static byte[] encode(Message message) {
    return message.toWire();
  }

  /**
   * The message in at most {@code maxSize} bytes: records that do not fit are left out and the TC
   * bit is set (dnsjava's truncation), as a UDP answer must.
   */
  public static byte[] encode(Message message, int maxSize) {
    return message.toWire(maxSize);
  }

  /** The ID of a wire message without parsing it (0 for a runt). */
  public static int id(byte[] wire, int offset, int length) {
    return length < 2 ? 0 : u16(wire, offset);
  }

  static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }
}
