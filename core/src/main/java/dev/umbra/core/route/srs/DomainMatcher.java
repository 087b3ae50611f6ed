package dev.umbra.core.route.srs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code domain} item of a binary rule-set: exact domains and suffixes in one succinct trie of
 * reversed names. A suffix {@code ".a.com"} is stored as the key {@code "\r.a.com"} (subdomains
 * only); a suffix {@code "a.com"} as {@code "\na.com"} (the name and its subdomains), or, in
 * version 1 files, as the pair {@code "a.com"} and {@code "\r.a.com"}.
 */
public final class DomainMatcher {
  static final byte PREFIX_LABEL = '\r';
  static final byte ROOT_LABEL = '\n';

  /** Output cap when listing the names of a set (decompile), against hostile tries. */
  static final long MAX_DUMP_BYTES = 256L << 20;

  final SuccinctSet set;

  DomainMatcher(SuccinctSet set) {
    this.set = set;
  }

  /** The lists of a source rule, as sing-box's compiler turns them into keys. */
  public static DomainMatcher of(List<String> domains, List<String> suffixes, boolean legacy) {
    List<String> keys = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String suffix : suffixes) {
      if (!seen.add(suffix)) {
        continue;
      }
      if (suffix.isEmpty()) {
        throw new IllegalArgumentException("empty domain_suffix");
      }
      if (suffix.charAt(0) == '.') {
        keys.add(reverse((char) PREFIX_LABEL + suffix));
      } else if (legacy) {
        keys.add(reverse(suffix));
        String dotted = "." + suffix;
        if (seen.add(dotted)) {
          keys.add(reverse((char) PREFIX_LABEL + dotted));
        }
      } else {
        keys.add(reverse((char) ROOT_LABEL + suffix));
      }
    }
    for (String domain : domains) {
      if (seen.add(domain)) {
        keys.add(reverse(domain));
      }
    }
    List<byte[]> bytes = new ArrayList<>(keys.size());
    for (String k : keys) {
      bytes.add(k.getBytes(StandardCharsets.UTF_8));
    }
    bytes.sort(Arrays::compareUnsigned);
    return new DomainMatcher(SuccinctSet.build(bytes));
  }

  /** Whether {@code domain} is one of the names or under one of the suffixes. */
  public boolean matches(String domain) {
    byte[] key = reverse(domain).getBytes(StandardCharsets.UTF_8);
    int nodeId = 0;
    int bmIdx = 0;
    for (byte c : key) {
      while (true) {
        if (SuccinctSet.bit(set.labelBitmap, bmIdx)) {
          return false;
        }
        byte label = set.labels[bmIdx - nodeId];
        if (label == PREFIX_LABEL) {
          return true;
        }
        if (label == ROOT_LABEL && c == '.' && SuccinctSet.bit(set.leaves, set.childOf(bmIdx))) {
          return true;
        }
        if (label == c) {
          break;
        }
        bmIdx++;
      }
      nodeId = set.childOf(bmIdx);
      bmIdx = set.blockStart(nodeId);
    }
    if (SuccinctSet.bit(set.leaves, nodeId)) {
      return true;
    }
    for (; !SuccinctSet.bit(set.labelBitmap, bmIdx); bmIdx++) {
      byte label = set.labels[bmIdx - nodeId];
      if (label == PREFIX_LABEL || label == ROOT_LABEL) {
        return true;
      }
    }
    return false;
  }

  /** The names and suffixes the set holds, sorted, as sing-box's decompiler recovers them. */
  public Lists dump() throws SrsFormatException {
    Set<String> domainSet = new HashSet<>();
    Set<String> prefixSet = new HashSet<>();
    List<String> suffixes = new ArrayList<>();
    for (byte[] raw : set.keys(MAX_DUMP_BYTES)) {
      String key = reverse(new String(raw, StandardCharsets.UTF_8));
      if (key.isEmpty()) {
        domainSet.add(key);
      } else if (key.charAt(0) == PREFIX_LABEL) {
        prefixSet.add(key.substring(1));
      } else if (key.charAt(0) == ROOT_LABEL) {
        suffixes.add(key.substring(1));
      } else {
        domainSet.add(key);
      }
    }
    for (String prefix : prefixSet) {
      if (!prefix.isEmpty() && prefix.charAt(0) == '.' && domainSet.remove(prefix.substring(1))) {
        suffixes.add(prefix.substring(1));
        continue;
      }
      suffixes.add(prefix);
    }
    List<String> domains = new ArrayList<>(domainSet);
    domains.sort(DomainMatcher::compareUtf8);
    suffixes.sort(DomainMatcher::compareUtf8);
    return new Lists(domains, suffixes);
  }

  /** Domains and suffixes recovered from a set. */
  public record Lists(List<String> domains, List<String> suffixes) {}

  /** Go's string order: unsigned bytes of the UTF-8 form. */
  static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** Reverses by code point, as sing-box reverses runes. */
  static String reverse(String s) {
    int[] cps = s.codePoints().toArray();
    StringBuilder b = new StringBuilder(s.length());
    for (int i = cps.length - 1; i >= 0; i--) {
      b.appendCodePoint(cps[i]);
    }
    return b.toString();
  }

  void write(ByteWriter out) {
    set.write(out);
  }

  static DomainMatcher read(ByteReader in) throws SrsFormatException {
    return new DomainMatcher(SuccinctSet.read(in));
  }

  /** The raw keys (reversed, with markers), for tests and equality. */
  List<byte[]> keys() throws SrsFormatException {
    return set.keys(MAX_DUMP_BYTES);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DomainMatcher m
        && Arrays.equals(m.set.leaves, set.leaves)
        && Arrays.equals(m.set.labelBitmap, set.labelBitmap)
        && Arrays.equals(m.set.labels, set.labels);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(set.labels);
  }
}
