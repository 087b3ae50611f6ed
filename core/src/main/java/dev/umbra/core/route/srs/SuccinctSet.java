package dev.umbra.core.route.srs;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of byte strings as a LOUDS-encoded trie (sing-box's succinct set): nodes in breadth-first
 * order, {@code labelBitmap} holding, per node, a 0 for each child edge followed by a 1; {@code
 * labels} the edge bytes in the same order; {@code leaves} a bit per node that ends a key. This is
 * the {@code .srs} encoding of domain and AdGuard items, so the layout must stay byte-exact.
 */
final class SuccinctSet {
  final long[] leaves;
  final long[] labelBitmap;
  final byte[] labels;

  /** ranks[w] = number of ones in labelBitmap words before w; one extra entry at the end. */
  private final int[] ranks;

  private SuccinctSet(long[] leaves, long[] labelBitmap, byte[] labels) {
    this.leaves = leaves;
    this.labelBitmap = labelBitmap;
    this.labels = labels;
    this.ranks = new int[labelBitmap.length + 1];
    for (int i = 0; i < labelBitmap.length; i++) {
      ranks[i + 1] = ranks[i] + Long.bitCount(labelBitmap[i]);
    }
  }

  /** Builds the trie of {@code keys}, which must be sorted (unsigned bytes), unique, non-empty. */
  static SuccinctSet build(List<byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a succinct set needs at least one key");
    }
    Bits leaves = new Bits();
    Bits bitmap = new Bits();
    ByteArrayOutputStream labels = new ByteArrayOutputStream();
    // Breadth-first over ranges of keys sharing a prefix of length col.
    List<int[]> queue = new ArrayList<>();
    queue.add(new int[] {0, keys.size(), 0});
    int labelIndex = 0;
    for (int i = 0; i < queue.size(); i++) {
      int[] elt = queue.get(i);
      int s = elt[0];
      int e = elt[1];
      int col = elt[2];
      if (col == keys.get(s).length) {
        s++;
        leaves.set(i, true);
      }
      for (int j = s; j < e; ) {
        int from = j;
        byte label = keys.get(from)[col];
        while (j < e && keys.get(j)[col] == label) {
          j++;
        }
        queue.add(new int[] {from, j, col + 1});
        labels.write(label);
        bitmap.set(labelIndex++, false);
      }
      bitmap.set(labelIndex++, true);
    }
    return new SuccinctSet(leaves.words(), bitmap.words(), labels.toByteArray());
  }

  /**
   * Reads a set and checks that it is a well-formed trie (one more node than edges, each child
   * numbered after its parent), so matching can never loop or index out of bounds.
   */
  static SuccinctSet read(ByteReader in) throws SrsFormatException {
    int version = in.u8();
    if (version != 0) {
      throw new SrsFormatException("unknown domain set version " + version);
    }
    long[] leaves = readWords(in);
    long[] bitmap = readWords(in);
    byte[] labels = in.lengthPrefixed();
    long lastOne = -1;
    for (int w = bitmap.length - 1; w >= 0 && lastOne < 0; w--) {
      if (bitmap[w] != 0) {
        lastOne = ((long) w << 6) + 63 - Long.numberOfLeadingZeros(bitmap[w]);
      }
    }
    if (lastOne < 0) {
      throw new SrsFormatException("domain set has no root node");
    }
    int nodes = 0;
    int edges = 0;
    for (long bit = 0; bit <= lastOne; bit++) {
      if ((bitmap[(int) (bit >>> 6)] & (1L << (bit & 63))) != 0) {
        nodes++;
      } else {
        // This edge leads to node number `edges`; its parent is node number `nodes` (the ones
        // seen so far). Children must come after their parent, or the trie would loop.
        edges++;
        if (edges <= nodes) {
          throw new SrsFormatException("domain set: node " + edges + " precedes its parent");
        }
      }
    }
    if (edges != nodes - 1 || labels.length != edges) {
      throw new SrsFormatException(
          "domain set: "
              + nodes
              + " nodes, "
              + edges
              + " edges and "
              + labels.length
              + " labels do not form a trie");
    }
    return new SuccinctSet(leaves, bitmap, labels);
  }

  private static long[] readWords(ByteReader in) throws SrsFormatException {
    int n = in.count(8);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = in.u64();
    }
    return out;
  }

  void write(ByteWriter out) {
    out.u8(0);
    writeWords(out, leaves);
    writeWords(out, labelBitmap);
    out.lengthPrefixed(labels);
  }

  private static void writeWords(ByteWriter out, long[] words) {
    out.uvarint(words.length);
    for (long w : words) {
      out.u64(w);
    }
  }

  static boolean bit(long[] bm, int i) {
    int w = i >>> 6;
    return w < bm.length && (bm[w] & (1L << (i & 63))) != 0;
  }

  /** Number of zeros in labelBitmap[0, i). */
  int countZeros(int i) {
    int w = i >>> 6;
    int ones = ranks[Math.min(w, labelBitmap.length)];
    if (w < labelBitmap.length && (i & 63) != 0) {
      ones += Long.bitCount(labelBitmap[w] & ((1L << (i & 63)) - 1));
    }
    return i - ones;
  }

  /** Position of the k-th one (0-based) in labelBitmap. */
  int selectOne(int k) {
    int lo = 0;
    int hi = labelBitmap.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (ranks[mid] <= k) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    long w = labelBitmap[lo];
    for (int skip = k - ranks[lo]; skip > 0; skip--) {
      w &= w - 1;
    }
    return (lo << 6) + Long.numberOfTrailingZeros(w);
  }

  /** First bitmap position of node {@code nodeId}'s block. */
  int blockStart(int nodeId) {
    return nodeId == 0 ? 0 : selectOne(nodeId - 1) + 1;
  }

  int childOf(int bmIdx) {
    return countZeros(bmIdx + 1);
  }

  /**
   * Every key, in trie (sorted) order; iterative so deep tries cannot overflow the stack, and
   * bounded to {@code maxBytes} of output so a hostile trie cannot exhaust memory.
   */
  List<byte[]> keys(long maxBytes) throws SrsFormatException {
    long total = 0;
    List<byte[]> out = new ArrayList<>();
    byte[] key = new byte[16];
    int depth = 0;
    // Stack of bitmap positions: the next edge to try at each depth.
    int[] stack = new int[16];
    int[] nodeStack = new int[16];
    if (bit(leaves, 0)) {
      out.add(new byte[0]);
    }
    stack[0] = 0;
    nodeStack[0] = 0;
    while (depth >= 0) {
      int bmIdx = stack[depth];
      int nodeId = nodeStack[depth];
      if (bit(labelBitmap, bmIdx)) {
        depth--;
        continue;
      }
      stack[depth] = bmIdx + 1;
      if (depth >= key.length) {
        key = Arrays.copyOf(key, key.length * 2);
      }
      key[depth] = labels[bmIdx - nodeId];
      int child = childOf(bmIdx);
      if (bit(leaves, child)) {
        total += depth + 1;
        if (total > maxBytes) {
          throw new SrsFormatException("domain set expands beyond " + maxBytes + " bytes");
        }
        out.add(Arrays.copyOf(key, depth + 1));
      }
      depth++;
      if (depth >= stack.length) {
        stack = Arrays.copyOf(stack, stack.length * 2);
        nodeStack = Arrays.copyOf(nodeStack, nodeStack.length * 2);
      }
      stack[depth] = blockStart(child);
      nodeStack[depth] = child;
    }
    return out;
  }

  /** A growable bit array that, like sing-box's setBit, grows to cover every index it touches. */
  private static final class Bits {
    private long[] words = new long[4];
    private int used;

    void set(int i, boolean v) {
      int w = i >>> 6;
      if (w >= words.length) {
        words = Arrays.copyOf(words, Math.max(words.length * 2, w + 1));
      }
      used = Math.max(used, w + 1);
      if (v) {
        words[w] |= 1L << (i & 63);
      }
    }

    long[] words() {
      return Arrays.copyOf(words, used);
    }
  }
}
