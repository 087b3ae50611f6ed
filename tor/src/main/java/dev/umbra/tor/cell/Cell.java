package dev.umbra.tor.cell;

import java.util.Arrays;

/**
 * One channel cell: circuit ID, command and payload. Fixed-size cells carry exactly {@link
 * #PAYLOAD_LEN} payload bytes; variable-length cells (VERSIONS and commands ≥ 128) carry any length
 * up to 65535.
 */
@SuppressWarnings("ArrayRecordComponent") // a wire value; the codec owns the copy discipline
public record Cell(int circId, int command, byte[] payload) {
  public static final int PAYLOAD_LEN = 509;

  // Channel commands (tor-spec "cell-packet-format").
  public static final int PADDING = 0;
  public static final int CREATE = 1;
  public static final int CREATED = 2;
  public static final int RELAY = 3;
  public static final int DESTROY = 4;
  public static final int CREATE_FAST = 5;
  public static final int CREATED_FAST = 6;
  public static final int VERSIONS = 7;
  public static final int NETINFO = 8;
  public static final int RELAY_EARLY = 9;
  public static final int CREATE2 = 10;
  public static final int CREATED2 = 11;
  public static final int PADDING_NEGOTIATE = 12;
  public static final int VPADDING = 128;
  public static final int CERTS = 129;
  public static final int AUTH_CHALLENGE = 130;
  public static final int AUTHENTICATE = 131;
  public static final int AUTHORIZE = 132;

  public Cell {
    if (command < 0 || command > 255) {
      throw new IllegalArgumentException("command out of range: " + command);
    }
    if (isVariable(command)) {
      if (payload.length > 0xFFFF) {
        throw new IllegalArgumentException("variable cell payload too long: " + payload.length);
      }
    } else if (payload.length != PAYLOAD_LEN) {
      payload = Arrays.copyOf(payload, PAYLOAD_LEN); // zero padding
    }
  }

  /** A fixed-size cell whose payload is {@code body} followed by zero padding. */
  public static Cell fixed(int circId, int command, byte[] body) {
    if (body.length > PAYLOAD_LEN) {
      throw new IllegalArgumentException("cell body too long: " + body.length);
    }
    return new Cell(circId, command, Arrays.copyOf(body, PAYLOAD_LEN));
  }

  public static boolean isVariable(int command) {
    return command == VERSIONS || command >= 128;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cell c
        && c.circId == circId
        && c.command == command
        && Arrays.equals(c.payload, payload);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * circId + command) + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Cell[circ=" + circId + ", cmd=" + command + ", len=" + payload.length + "]";
  }
}
