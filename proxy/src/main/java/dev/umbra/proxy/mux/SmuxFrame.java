package dev.umbra.proxy.mux;

import java.net.ProtocolException;

/**
 * xtaci/smux frame header (smux frame.go): {@code ver(1) cmd(1) length(u16 LE) sid(u32 LE)}. In
 * version 2 the UPD command carries {@code consumed(u32 LE) window(u32 LE)}. Bytes only.
 */
record SmuxFrame(int version, int cmd, int length, int streamId) {
  static final int HEADER = 8;
  static final int SYN = 0;
  static final int FIN = 1;
  static final int PSH = 2;
  static final int NOP = 3;
  static final int UPD = 4;

  byte[] encode() {
    return new byte[] {
      (byte) version,
      (byte) cmd,
      (byte) length,
      (byte) (length >>> 8),
      (byte) streamId,
      (byte) (streamId >>> 8),
      (byte) (streamId >>> 16),
      (byte) (streamId >>> 24)
    };
  }

  static SmuxFrame decode(byte[] h) throws ProtocolException {
    if (h.length != HEADER) {
      throw new ProtocolException("smux header of " + h.length + " bytes");
    }
    int length = (h[2] & 0xff) | (h[3] & 0xff) << 8;
    int sid = (h[4] & 0xff) | (h[5] & 0xff) << 8 | (h[6] & 0xff) << 16 | (h[7] & 0xff) << 24;
    return new SmuxFrame(h[0] & 0xff, h[1] & 0xff, length, sid);
  }
}
