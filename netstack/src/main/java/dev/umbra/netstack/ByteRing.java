package dev.umbra.netstack;

/**
 * A byte ring that grows on demand up to a fixed maximum, so an idle connection holds little memory
 * while a busy one gets its full window. Bytes are addressed by their offset from the head; {@link
 * #size} bytes from the head are committed (readable or unacknowledged), and bytes beyond them may
 * be written ahead (out-of-order data) and committed later. Not thread-safe: the connection's lock
 * guards it. Copies are bulk {@code System.arraycopy}, at most two per call.
 */
final class ByteRing {
  private static final int INITIAL = 16 * 1024;

  private final int max;
  private byte[] buf = new byte[0];
  private int head;
  private int size;

  ByteRing(int max) {
    this.max = max;
  }

  int max() {
    return max;
  }

  int size() {
    return size;
  }

  /** Bytes that can still be committed before the ring is full. */
  int free() {
    return max - size;
  }

  private void ensure(int needed) {
    if (needed <= buf.length) {
      return;
    }
    int n = Math.max(INITIAL, buf.length);
    while (n < needed) {
      n *= 2;
    }
    n = Math.min(n, max);
    byte[] nb = new byte[n];
    // linearise from the head so every offset keeps its meaning (written-ahead bytes included)
    int first = buf.length - head;
    System.arraycopy(buf, head, nb, 0, first);
    System.arraycopy(buf, 0, nb, first, head);
    buf = nb;
    head = 0;
  }

  /** Writes {@code len} bytes at {@code offset} from the head (not committed). */
  void writeAt(int offset, byte[] src, int off, int len) {
    if (len == 0) {
      return;
    }
    ensure(offset + len);
    int cap = buf.length;
    int pos = (head + offset) % cap;
    int first = Math.min(len, cap - pos);
    System.arraycopy(src, off, buf, pos, first);
    if (first < len) {
      System.arraycopy(src, off + first, buf, 0, len - first);
    }
  }

  /** Appends and commits {@code len} bytes (caller checked {@link #free}). */
  void append(byte[] src, int off, int len) {
    writeAt(size, src, off, len);
    size += len;
  }

  void commit(int len) {
    size += len;
  }

  /** Copies {@code len} committed bytes starting {@code offset} from the head, not consuming. */
  void copyOut(int offset, byte[] dst, int off, int len) {
    if (len == 0) {
      return;
    }
    int cap = buf.length;
    int pos = (head + offset) % cap;
    int first = Math.min(len, cap - pos);
    System.arraycopy(buf, pos, dst, off, first);
    if (first < len) {
      System.arraycopy(buf, 0, dst, off + first, len - first);
    }
  }

  /** Reads and consumes up to {@code len} bytes; returns how many. */
  int read(byte[] dst, int off, int len) {
    int n = Math.min(len, size);
    if (n > 0) {
      copyOut(0, dst, off, n);
      skip(n);
    }
    return n;
  }

  void skip(int n) {
    if (n == 0) {
      return;
    }
    head = (head + n) % buf.length;
    size -= n;
  }

  /** Drops everything and releases the memory. */
  void clear() {
    buf = new byte[0];
    head = 0;
    size = 0;
  }
}
