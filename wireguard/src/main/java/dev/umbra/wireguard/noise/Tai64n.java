package dev.umbra.wireguard.noise;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * TAI64N timestamps for handshake initiations: 8 bytes of seconds (offset 2^62 + 10) and 4 bytes of
 * nanoseconds, both big-endian. The nanoseconds are rounded down to 2^24 ns (about 16 ms) so the
 * timestamp does not leak a precise clock.
 */
public final class Tai64n {
  public static final int SIZE = 12;
  private static final long BASE = 0x400000000000000aL;
  private static final int WHITENER_MASK = 0x1000000 - 1;

  private Tai64n() {}

  public static byte[] of(Instant t) {
    byte[] b = new byte[SIZE];
    ByteBuffer.wrap(b).putLong(BASE + t.getEpochSecond()).putInt(t.getNano() & ~WHITENER_MASK);
    return b;
  }

  /** Whether {@code a} is strictly later than {@code b} (unsigned big-endian comparison). */
  public static boolean after(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b) > 0;
  }
}
