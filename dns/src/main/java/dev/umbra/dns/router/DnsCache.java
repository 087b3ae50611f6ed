package dev.umbra.dns.router;

import dev.umbra.dns.message.Messages;
import dev.umbra.dns.message.WireAnswer;
import dev.umbra.dns.message.WireQuery;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/**
 * Answers kept for their TTL, least recently used evicted beyond the capacity. Only NOERROR and
 * NXDOMAIN answers are kept; a cached answer's TTLs count down. With {@code disableExpire} entries
 * stay until evicted (their TTLs then read as stored).
 */
final class DnsCache {
  /**
   * A question (name compared without case) and, with {@code independent_cache}, the server. A
   * stored key holds its name in lower case; the cache's own probe key points into a query's wire
   * bytes instead, so a lookup from the wire allocates nothing.
   */
  static final class Key {
    private byte[] name;
    private int offset;
    private int length;
    private int type;
    private int dclass;
    private String server;
    private int hash;

    Key(Name name, int type, int dclass, String server) {
      this(name.toWireCanonical(), type, dclass, server);
    }

    /** {@code canonicalName}: the name's wire form in lower case. */
    Key(byte[] canonicalName, int type, int dclass, String server) {
      set(canonicalName, 0, canonicalName.length, type, dclass, server);
    }

    private Key() {}

    private void set(byte[] buf, int off, int len, int type, int dclass, String server) {
      this.name = buf;
      this.offset = off;
      this.length = len;
      this.type = type;
      this.dclass = dclass;
      this.server = server;
      int h = 1;
      for (int i = 0; i < len; i++) {
        h = 31 * h + lower(buf[off + i]);
      }
      this.hash = ((h * 31 + type) * 31 + dclass) * 31 + server.hashCode();
    }

    /** The name in lower case (a copy for a probe). */
    byte[] canonicalName() {
      if (offset == 0 && length == name.length) {
        return name;
      }
      byte[] out = new byte[length];
      for (int i = 0; i < length; i++) {
        out[i] = lower(name[offset + i]);
      }
      return out;
    }

    private static byte lower(byte b) {
      return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k)
          || k.hash != hash
          || k.type != type
          || k.dclass != dclass
          || k.length != length
          || !k.server.equals(server)) {
        return false;
      }
      for (int i = 0; i < length; i++) {
        if (lower(k.name[k.offset + i]) != lower(name[offset + i])) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** An answer as stored, and its encodings for clients with and without EDNS0 (made on use). */
  private static final class Entry {
    final Message message;
    final byte[] canonicalName;
    final long storedNanos;
    final long ttlSeconds;
    private volatile Optional<WireAnswer> full;
    private volatile Optional<WireAnswer> withoutOpt;

    Entry(Message message, byte[] canonicalName, long storedNanos, long ttlSeconds) {
      this.message = message;
      this.canonicalName = canonicalName;
      this.storedNanos = storedNanos;
      this.ttlSeconds = ttlSeconds;
    }

    /** Racing threads may both encode; they make the same bytes. */
    WireAnswer wire(boolean opt) {
      Optional<WireAnswer> w = opt ? full : withoutOpt;
      if (w == null) {
        w = Optional.ofNullable(WireAnswer.of(message, !opt, canonicalName));
        if (opt) {
          full = w;
        } else {
          withoutOpt = w;
        }
      }
      return w.orElse(null);
    }
  }

  private final int capacity;
  private final boolean disableExpire;
  private final Map<Key, Entry> entries;

  DnsCache(int capacity, boolean disableExpire) {
    this.capacity = capacity;
    this.disableExpire = disableExpire;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, DnsCache.Entry> eldest) {
            return size() > DnsCache.this.capacity;
          }
        };
  }

  /** The cached answer with TTLs reduced by its age, or null. */
  Message get(Key key, long nowNanos) {
    Entry e;
    synchronized (this) {
      e = entries.get(key);
      if (e == null) {
        return null;
      }
      long age = (nowNanos - e.storedNanos) / 1_000_000_000L;
      if (!disableExpire && age >= e.ttlSeconds) {
        entries.remove(key);
        return null;
      }
    }
    long age = disableExpire ? 0 : (nowNanos - e.storedNanos) / 1_000_000_000L;
    return Messages.mapTtl(e.message, ttl -> Math.max(0, ttl - age));
  }

  /** Probe key for {@link #getWireInto}; used under the lock only. */
  private final Key probe = new Key();

  /**
   * The cached answer for a client's plain query, on the wire as {@link #get} and the server's
   * encoding would make it: the query's ID, TTLs reduced by the age or set to {@code fixedTtl}
   * (when not negative), OPT only for a client that sent one. Null on a miss, or when the answer
   * does not fit {@code maxSize} (the full path truncates it).
   */
  byte[] getWire(Key key, WireQuery q, long nowNanos, long fixedTtl, int maxSize) {
    byte[] out = new byte[maxSize];
    int n =
        getWireInto(
            q.wire(), q.nameEnd(), key.server, nowNanos, fixedTtl, Math.min(maxSize, 65_535), out);
    return n < 0 ? null : Arrays.copyOf(out, n);
  }

  /**
   * {@link #getWire} for the plain query in {@code query} (see {@link WireQuery#scan}), written
   * into {@code out}; returns its length, or -1 on a miss or when it does not fit {@code maxSize}
   * or {@code out}. Allocates nothing once the entry's encoding exists.
   */
  int getWireInto(
      byte[] query,
      int nameEnd,
      String server,
      long nowNanos,
      long fixedTtl,
      int maxSize,
      byte[] out) {
    Entry e;
    long age;
    synchronized (this) {
      probe.set(
          query,
          dev.umbra.dns.message.DnsCodec.HEADER_SIZE,
          nameEnd - dev.umbra.dns.message.DnsCodec.HEADER_SIZE,
          WireQuery.type(query, nameEnd),
          WireQuery.dclass(query, nameEnd),
          server);
      e = entries.get(probe);
      if (e != null) {
        age = (nowNanos - e.storedNanos) / 1_000_000_000L;
        if (!disableExpire && age >= e.ttlSeconds) {
          entries.remove(probe);
          e = null;
        }
      } else {
        age = 0;
      }
      probe.name = null; // hold no client bytes
    }
    if (e == null) {
      return -1;
    }
    WireAnswer w = e.wire(WireQuery.payloadSize(query, nameEnd) >= 0);
    if (w == null || w.length() > maxSize || w.length() > out.length) {
      return -1;
    }
    return w.renderInto(out, query, nameEnd, disableExpire ? 0 : age, fixedTtl);
  }

  void put(Key key, Message response, long nowNanos) {
    long ttl = ttlOf(response);
    if (ttl <= 0) {
      return;
    }
    synchronized (this) {
      entries.put(key, new Entry(response, key.canonicalName(), nowNanos, ttl));
    }
  }

  synchronized int size() {
    return entries.size();
  }

  synchronized void clear() {
    entries.clear();
  }

  /** How long an answer may be kept: its smallest TTL; for a negative one the SOA's (RFC 2308). */
  static long ttlOf(Message m) {
    int rcode = m.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      return 0;
    }
    long min = Long.MAX_VALUE;
    for (Record r : m.getSection(Section.ANSWER)) {
      min = Math.min(min, r.getTTL());
    }
    if (min != Long.MAX_VALUE && rcode == Rcode.NOERROR) {
      return min;
    }
    for (Record r : m.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord soa) {
        return Math.min(soa.getTTL(), soa.getMinimum());
      }
    }
    for (Record r : m.getSection(Section.ADDITIONAL)) {
      if (!(r instanceof OPTRecord)) {
        min = Math.min(min, r.getTTL());
      }
    }
    return min == Long.MAX_VALUE ? 0 : min;
  }
}
