package dev.umbra.proxy.vmess;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * Remembers auth IDs long enough to refuse every replay inside their validity window (a timestamp
 * is accepted within 120 s either way, so an ID stays usable for up to 240 s). Two generations,
 * each bounded; a full generation rotates early, which trades some memory of old IDs for bounded
 * memory.
 */
final class AuthIdFilter {
  static final long GENERATION_NANOS = 240L * 1_000_000_000L;
  private final int capacity;
  private Set<ByteBuffer> current = new HashSet<>();
  private Set<ByteBuffer> previous = new HashSet<>();
  private long rotatedAt = System.nanoTime();

  AuthIdFilter(int capacity) {
    this.capacity = capacity;
  }

  /** True the first time {@code id} is seen; false for a replay. */
  synchronized boolean firstSeen(byte[] id) {
    long now = System.nanoTime();
    if (now - rotatedAt > GENERATION_NANOS || current.size() >= capacity) {
      previous = current;
      current = new HashSet<>();
      rotatedAt = now;
    }
    ByteBuffer key = ByteBuffer.wrap(id.clone());
    if (current.contains(key) || previous.contains(key)) {
      return false;
    }
    current.add(key);
    return true;
  }
}
