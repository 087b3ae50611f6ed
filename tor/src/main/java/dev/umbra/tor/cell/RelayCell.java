package dev.umbra.tor.cell;

import java.security.SecureRandom;

/**
 * A relay message in the tor1 cell format: command, "recognized" (0), stream ID, a 4-byte digest
 * (filled in by relay crypto), length and up to {@link #MAX_DATA} bytes of data.
 */
@SuppressWarnings("ArrayRecordComponent")
public record RelayCell(int command, int streamId, byte[] data) {
  public static final int MAX_DATA = Cell.PAYLOAD_LEN - 11;
  public static final int DIGEST_OFFSET = 5;

  public static final int BEGIN = 1;
  public static final int DATA = 2;
  public static final int END = 3;
  public static final int CONNECTED = 4;
  public static final int SENDME = 5;
  public static final int EXTEND = 6;
  public static final int EXTENDED = 7;
  public static final int TRUNCATE = 8;
  public static final int TRUNCATED = 9;
  public static final int DROP = 10;
  public static final int RESOLVE = 11;
  public static final int RESOLVED = 12;
  public static final int BEGIN_DIR = 13;
  public static final int EXTEND2 = 14;
  public static final int EXTENDED2 = 15;
  public static final int CONFLUX_LINK = 19;
  public static final int CONFLUX_LINKED = 20;
  public static final int CONFLUX_LINKED_ACK = 21;
  public static final int CONFLUX_SWITCH = 22;
  public static final int PADDING_NEGOTIATE = 41;
  public static final int PADDING_NEGOTIATED = 42;
  public static final int XOFF = 43;
  public static final int XON = 44;

  private static final SecureRandom RANDOM = new SecureRandom();

  public RelayCell {
    if (data.length > MAX_DATA) {
      throw new IllegalArgumentException("relay data too long: " + data.length);
    }
    if (streamId < 0 || streamId > 0xFFFF || command < 0 || command > 255) {
      throw new IllegalArgumentException("bad relay header");
    }
  }

  /** The 509-byte cell payload with a zero digest field (relay crypto fills it in). */
  public byte[] encode() {
    byte[] p = new byte[Cell.PAYLOAD_LEN];
    p[0] = (byte) command;
    p[3] = (byte) (streamId >>> 8);
    p[4] = (byte) streamId;
    p[9] = (byte) (data.length >>> 8);
    p[10] = (byte) data.length;
    System.arraycopy(data, 0, p, 11, data.length);
    // Padding: four zero bytes, then random bytes (tor-spec), so padding is not predictable.
    int padStart = 11 + data.length + 4;
    if (padStart < p.length) {
      byte[] r = new byte[p.length - padStart];
      RANDOM.nextBytes(r);
      System.arraycopy(r, 0, p, padStart, r.length);
    }
    return p;
  }

  /** Decodes a payload that relay crypto has already recognized for us. */
  public static RelayCell decode(byte[] payload) throws TorProtocolException {
    if (payload.length != Cell.PAYLOAD_LEN) {
      throw new TorProtocolException("relay payload must be 509 bytes, got " + payload.length);
    }
    int len = ((payload[9] & 0xFF) << 8) | (payload[10] & 0xFF);
    if (len > MAX_DATA) {
      throw new TorProtocolException("relay cell length " + len + " exceeds " + MAX_DATA);
    }
    byte[] data = new byte[len];
    System.arraycopy(payload, 11, data, 0, len);
    int streamId = ((payload[3] & 0xFF) << 8) | (payload[4] & 0xFF);
    return new RelayCell(payload[0] & 0xFF, streamId, data);
  }

  /** True when the "recognized" field is zero (a candidate for this hop). */
  public static boolean recognizedZero(byte[] payload) {
    return payload[1] == 0 && payload[2] == 0;
  }

  @Override
  public String toString() {
    return "RelayCell[cmd=" + command + ", stream=" + streamId + ", len=" + data.length + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RelayCell r
        && r.command == command
        && r.streamId == streamId
        && java.util.Arrays.equals(r.data, data);
  }

  @Override
  public int hashCode() {
    return (command * 31 + streamId) * 31 + java.util.Arrays.hashCode(data);
  }
}
