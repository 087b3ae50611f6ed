package dev.umbra.proxy.shadowsocks;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * Replay protection: remembers salts seen recently. Two generations of bounded size; when the
 * current one is full or older than the window, the older is dropped, so memory stays bounded and
 * every salt is remembered for at least one generation.
 */
public final class SaltFilter {
  private final int capacity;
  private final long windowNanos;
  private Set<ByteBuffer> current = new HashSet<>();
  private Set<ByteBuffer> previous = new HashSet<>();
  private long currentStarted = System.nanoTime();

  /**
   * @param capacity salts per generation
   * @param windowNanos age after which a generation rotates (0 = only by size)
   */
  public SaltFilter(int capacity, long windowNanos) {
    this.capacity = capacity;
    this.windowNanos = windowNanos;
  }

  /** Records {@code salt}; returns false if it was already seen (a replay). */
  public synchronized boolean add(byte[] salt) {
    ByteBuffer key = ByteBuffer.wrap(salt.clone());
    if (current.contains(key) || previous.contains(key)) {
      return false;
    }
    long now = System.nanoTime();
    if (current.size() >= capacity || (windowNanos > 0 && now - currentStarted > windowNanos)) {
      previous = current;
      current = new HashSet<>();
      currentStarted = now;
    }
    current.add(key);
    return true;
  }

  /** True if {@code salt} was seen, without recording it. */
  public synchronized boolean contains(byte[] salt) {
    ByteBuffer key = ByteBuffer.wrap(salt);
    return current.contains(key) || previous.contains(key);
  }
}
