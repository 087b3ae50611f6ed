package dev.umbra.proxy.shadowsocks;

/**
 * Sliding-window replay filter for SIP022 packet ids: accepts each id once, and nothing older than
 * the window behind the highest id seen.
 */
final class PacketWindow {
  static final int SIZE = 1024;
  private final long[] bits = new long[SIZE / 64];
  private long highest = -1;

  /** True the first time {@code id} is seen inside the window; false for a replay or stale id. */
  synchronized boolean accept(long id) {
    if (id < 0) {
      return false;
    }
    if (id > highest) {
      long gap = id - highest;
      if (gap >= SIZE) {
        java.util.Arrays.fill(bits, 0);
      } else {
        for (long i = highest + 1; i < id; i++) {
          clear(i);
        }
      }
      highest = id;
      set(id);
      return true;
    }
    if (highest - id >= SIZE) {
      return false;
    }
    if (isSet(id)) {
      return false;
    }
    set(id);
    return true;
  }

  private void set(long id) {
    int i = (int) (id % SIZE);
    bits[i >>> 6] |= 1L << (i & 63);
  }

  private void clear(long id) {
    int i = (int) (id % SIZE);
    bits[i >>> 6] &= ~(1L << (i & 63));
  }

  private boolean isSet(long id) {
    int i = (int) (id % SIZE);
    return (bits[i >>> 6] & (1L << (i & 63))) != 0;
  }
}
