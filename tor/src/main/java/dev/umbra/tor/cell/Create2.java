package dev.umbra.tor.cell;

import java.nio.ByteBuffer;

/** CREATE2 / CREATED2 bodies and the handshake types we speak. */
public final class Create2 {
  public static final int HTYPE_NTOR = 2;
  public static final int HTYPE_NTOR_V3 = 3;

  private Create2() {}

  /** CREATE2 (or the same HTYPE|HLEN|HDATA inside EXTEND2). */
  public static byte[] body(int htype, byte[] hdata) {
    ByteBuffer b = ByteBuffer.allocate(4 + hdata.length);
    b.putShort((short) htype).putShort((short) hdata.length).put(hdata);
    return b.array();
  }

  /** HDATA of a CREATED2 body (or EXTENDED2 message). */
  public static byte[] createdData(byte[] body) throws TorProtocolException {
    Bytes r = new Bytes(body, "CREATED2");
    int len = r.u16();
    return r.take(len);
  }

  /** DESTROY reason names (tor-spec "tearing down circuits"), for logs. */
  public static String destroyReason(int reason) {
    return switch (reason) {
      case 0 -> "NONE";
      case 1 -> "PROTOCOL";
      case 2 -> "INTERNAL";
      case 3 -> "REQUESTED";
      case 4 -> "HIBERNATING";
      case 5 -> "RESOURCELIMIT";
      case 6 -> "CONNECTFAILED";
      case 7 -> "OR_IDENTITY";
      case 8 -> "CHANNEL_CLOSED";
      case 9 -> "FINISHED";
      case 10 -> "TIMEOUT";
      case 11 -> "DESTROYED";
      case 12 -> "NOSUCHSERVICE";
      default -> "reason " + reason;
    };
  }
}
