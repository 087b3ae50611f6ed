package dev.umbra.proxy.vless;

/**
 * Vision's look at the inner traffic (Xray-core proxy/proxy.go XtlsFilterTls), one per connection
 * and shared by both directions as Xray's TrafficState is: within the first 8 packets either way, a
 * ClientHello ({@code 16 03 .. .. .. 01}) or ServerHello ({@code 16 03 03 .. .. 02}) marks TLS; a
 * ServerHello carrying supported_versions TLS 1.3 ({@code 00 2b 00 02 03 04}) with a cipher other
 * than TLS_AES_128_CCM_8_SHA256 enables XTLS (direct copy). The client's writer learns of the
 * ServerHello from its reader, so every access is synchronized. Bytes only.
 */
final class VisionFilter {
  private static final byte[] TLS13 = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04};

  int packetsToFilter = 8;
  boolean tls;
  boolean tls12OrAbove;
  boolean tls13;
  boolean enableXtls;
  int cipher;
  private int remainingServerHello;

  /** What the writer needs, read at once. */
  record State(boolean tls, boolean tls12OrAbove, boolean enableXtls, int packetsToFilter) {}

  synchronized State state() {
    return new State(tls, tls12OrAbove, enableXtls, packetsToFilter);
  }

  synchronized boolean active() {
    return packetsToFilter > 0;
  }

  /**
   * Inspects one write as Xray sees it: a sequence of buffers of at most {@link
   * VisionPadding#BUFFER} bytes, each one packet.
   */
  synchronized void inspectWrite(byte[] b, int off, int len) {
    for (int at = off; at < off + len && packetsToFilter > 0; at += VisionPadding.BUFFER) {
      inspect(b, at, Math.min(VisionPadding.BUFFER, off + len - at));
    }
  }

  /** Inspects one packet. */
  synchronized void inspect(byte[] b, int off, int len) {
    if (packetsToFilter <= 0) {
      return;
    }
    packetsToFilter--;
    if (len >= 6) {
      if (b[off] == 0x16 && b[off + 1] == 0x03 && b[off + 2] == 0x03 && b[off + 5] == 0x02) {
        remainingServerHello = ((b[off + 3] & 0xff) << 8 | (b[off + 4] & 0xff)) + 5;
        tls12OrAbove = true;
        tls = true;
        if (len >= 79 && remainingServerHello >= 79) {
          int sessionIdLength = Math.min(b[off + 43] & 0xff, 32);
          if (43 + sessionIdLength + 3 <= len) {
            int at = off + 43 + sessionIdLength + 1;
            cipher = (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
          }
        }
      } else if (b[off] == 0x16 && b[off + 1] == 0x03 && b[off + 5] == 0x01) {
        tls = true;
      }
    }
    if (remainingServerHello > 0) {
      int end = Math.min(remainingServerHello, len);
      remainingServerHello -= len;
      if (contains(b, off, end, TLS13)) {
        tls13 = true;
        // the TLS 1.3 suites Xray knows, less TLS_AES_128_CCM_8_SHA256 (0x1305)
        enableXtls = cipher >= 0x1301 && cipher <= 0x1304;
        packetsToFilter = 0;
      } else if (remainingServerHello <= 0) {
        packetsToFilter = 0;
      }
    }
  }

  private static boolean contains(byte[] b, int off, int len, byte[] needle) {
    outer:
    for (int i = off; i <= off + len - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (b[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Whether {@code b} starts a TLS application data record ({@code 17 03 03}). */
  static boolean applicationData(byte[] b, int off, int len) {
    return len >= 6 && b[off] == 0x17 && b[off + 1] == 0x03 && b[off + 2] == 0x03;
  }

  /**
   * Whether {@code b} is nothing but whole TLS application data records (Xray's IsCompleteRecord):
   * Vision switches only at a write that ends on a record boundary.
   */
  static boolean completeRecords(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      if (end - i < 5 || b[i] != 0x17 || b[i + 1] != 0x03 || b[i + 2] != 0x03) {
        return false;
      }
      int recordLength = (b[i + 3] & 0xff) << 8 | (b[i + 4] & 0xff);
      if (recordLength == 0 || end - i - 5 < recordLength) {
        return false;
      }
      i += 5 + recordLength;
    }
    return true;
  }
}
