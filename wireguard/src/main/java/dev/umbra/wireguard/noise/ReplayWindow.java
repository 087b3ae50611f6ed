package dev.umbra.wireguard.noise;

/**
 * Sliding-window replay filter for transport counters in the style of RFC 6479: a ring of 128
 * 64-bit blocks, of which one is always being recycled, so any of the last 8128 counters is
 * tracked. Not thread-safe; the receive path owns it.
 */
public final class ReplayWindow {
  private static final int BLOCK_BITS_LOG = 6;
  private static final int BLOCK_BITS = 1 << BLOCK_BITS_LOG;
  private static final int RING_BLOCKS = 128;
  public static final long WINDOW_SIZE = (long) (RING_BLOCKS - 1) * BLOCK_BITS;

  private final long[] ring = new long[RING_BLOCKS];
  private long last;

  public void reset() {
    last = 0;
    java.util.Arrays.fill(ring, 0);
  }

  /**
   * Marks {@code counter} as seen and returns true if it is new, inside the window and below {@code
   * limit} (all compared unsigned); otherwise returns false and changes nothing.
   */
  public boolean accept(long counter, long limit) {
    if (Long.compareUnsigned(counter, limit) >= 0) {
      return false;
    }
    long block = counter >>> BLOCK_BITS_LOG;
    if (Long.compareUnsigned(counter, last) > 0) {
      long current = last >>> BLOCK_BITS_LOG;
      long diff = Math.min(block - current, RING_BLOCKS);
      for (long i = current + 1; diff > 0; i++, diff--) {
        ring[(int) (i & (RING_BLOCKS - 1))] = 0;
      }
      last = counter;
    } else if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) {
      return false;
    }
    int index = (int) (block & (RING_BLOCKS - 1));
    long bit = 1L << (counter & (BLOCK_BITS - 1));
    long old = ring[index];
    ring[index] = old | bit;
    return (old & bit) == 0;
  }
}
