package dev.umbra.proxy.mux;

/**
 * hashicorp/yamux frame header (yamux spec.md): {@code version(1)=0 type(1) flags(u16 BE)
 * stream_id(u32 BE) length(u32 BE)}. For window updates the length is the window delta, for pings
 * an opaque value, for go-away the error code. Bytes only.
 */
record YamuxFrame(int version, int type, int flags, int streamId, long length) {
  static final int HEADER = 12;
  static final int DATA = 0;
  static final int WINDOW_UPDATE = 1;
  static final int PING = 2;
  static final int GO_AWAY = 3;
  static final int SYN = 1;
  static final int ACK = 2;
  static final int FIN = 4;
  static final int RST = 8;

  byte[] encode() {
    return new byte[] {
      (byte) version,
      (byte) type,
      (byte) (flags >>> 8),
      (byte) flags,
      (byte) (streamId >>> 24),
      (byte) (streamId >>> 16),
      (byte) (streamId >>> 8),
      (byte) streamId,
      (byte) (length >>> 24),
      (byte) (length >>> 16),
      (byte) (length >>> 8),
      (byte) length
    };
  }

  static YamuxFrame decode(byte[] h) {
    int flags = (h[2] & 0xff) << 8 | (h[3] & 0xff);
    int sid = (h[4] & 0xff) << 24 | (h[5] & 0xff) << 16 | (h[6] & 0xff) << 8 | (h[7] & 0xff);
    long length =
        ((long) (h[8] & 0xff) << 24) | (h[9] & 0xff) << 16 | (h[10] & 0xff) << 8 | (h[11] & 0xff);
    return new YamuxFrame(h[0] & 0xff, h[1] & 0xff, flags, sid, length);
  }
}
