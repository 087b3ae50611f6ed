package dev.umbra.proxy.vless;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The padding step of Vision's writer (Xray-core proxy/proxy.go VisionWriter.WriteMultiBuffer), as
 * bytes in and bytes out. While padding, each write becomes blocks of {@link VisionPadding}; the
 * first block of a write made only of whole inner TLS application data records ends padding: with
 * command direct when the filter enabled XTLS (inner TLS 1.3 ServerHello, cipher not CCM_8), the
 * last block of that write carries {@code direct} and every later byte goes raw below the outer
 * TLS; otherwise the last block carries {@code end} and later bytes stay inside the outer TLS.
 * Traffic that is not TLS 1.2 or above ends padding with {@code end} when the filter is about to
 * give up, one packet early as Xray does for older receivers.
 */
final class VisionEncoder {
  private final VisionFilter filter;
  private final RandomGenerator random;
  private byte[] uuid;
  private boolean padding = true;
  private boolean direct;

  VisionEncoder(byte[] uuid, VisionFilter filter, RandomGenerator random) {
    this.uuid = uuid.clone();
    this.filter = filter;
    this.random = random;
  }

  /** Whether writes are still padded. */
  boolean padding() {
    return padding;
  }

  /** Whether the bytes returned last ended with a {@code direct} block: switch after them. */
  boolean switchToDirect() {
    return direct;
  }

  /** The empty block a client sends to hide the VLESS header when it has no first data. */
  byte[] empty() {
    return block(VisionPadding.CONTINUE, new byte[0], 0, 0, true);
  }

  /**
   * Runs the filter over one write and, while padding, returns the bytes to send inside the outer
   * TLS instead of it; null once padding is over (the write goes out as it is).
   */
  byte[] encode(byte[] b, int off, int len) {
    if (len == 0) {
      return null;
    }
    if (filter.active()) {
      filter.inspectWrite(b, off, len);
    }
    if (!padding) {
      return null;
    }
    VisionFilter.State s = filter.state();
    boolean complete = VisionFilter.completeRecords(b, off, len);
    List<int[]> pieces = VisionPadding.reshape(b, off, len);
    boolean longPadding = s.tls();
    int finalCommand = s.enableXtls() ? VisionPadding.DIRECT : VisionPadding.END;
    ByteArrayOutputStream out = new ByteArrayOutputStream(len + 1400 * pieces.size());
    for (int i = 0; i < pieces.size(); i++) {
      int at = pieces.get(i)[0];
      int n = pieces.get(i)[1];
      boolean last = i == pieces.size() - 1;
      if (s.tls() && complete && VisionFilter.applicationData(b, at, n)) {
        out.writeBytes(block(last ? finalCommand : VisionPadding.CONTINUE, b, at, n, true));
        padding = false;
        longPadding = false;
      } else if (!s.tls12OrAbove() && s.packetsToFilter() <= 1) {
        padding = false;
        out.writeBytes(block(VisionPadding.END, b, at, n, longPadding));
        out.write(b, at + n, off + len - at - n); // the rest of this write, unpadded
        return out.toByteArray();
      } else {
        int command = last && !padding ? finalCommand : VisionPadding.CONTINUE;
        out.writeBytes(block(command, b, at, n, longPadding));
      }
    }
    direct = !padding && s.enableXtls();
    return out.toByteArray();
  }

  private byte[] block(int command, byte[] b, int off, int len, boolean longPadding) {
    byte[] f =
        VisionPadding.block(
            uuid, command, b, off, len, VisionPadding.paddingLength(len, longPadding, random));
    uuid = null;
    return f;
  }
}
