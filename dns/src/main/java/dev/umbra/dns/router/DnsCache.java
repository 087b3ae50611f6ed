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
  /** A question (name compared without case) and, with {@code independent_cache}, the server. */
  static final class Key {
    private final byte[] name;
    private final int type;
    private final int dclass;
    private final String server;
    private final int hash;

    Key(Name name, int type, int dclass, String server) {
      this(name.toWireCanonical(), type, dclass, server);
    }

    /** {@code canonicalName}: the name's wire form in lower case. */
    Key(byte[] canonicalName, int type, int dclass, String server) {
      this.name = canonicalName;
      this.type = type;
      this.dclass = dclass;
      this.server = server;
      this.hash = ((Arrays.hashCode(name) * 31 + type) * 31 + dclass) * 31 + server.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.hash == hash
          && k.type == type
          && k.dclass == dclass
          && Arrays.equals(k.name, name)
          && k.server.equals(server);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** An answer as stored, and its encodings for clients with and without EDNS0 (made on use). */
  private static final class Entry {
    final Message message;
    final long storedNanos;
    final long ttlSeconds;
    private volatile Optional<WireAnswer> full;
    private volatile Optional<WireAnswer> withoutOpt;

    Entry(Message message, long storedNanos, long ttlSeconds) {
      this.message = message;
      this.storedNanos = storedNanos;
      this.ttlSeconds = ttlSeconds;
    }

    /** Racing threads may both encode; they make the same bytes. */
    WireAnswer wire(boolean opt, byte[] canonicalName) {
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

  /**
   * The cached answer for a client's plain query, on the wire as {@link #get} and the server's
   * encoding would make it: the query's ID, TTLs reduced by the age or set to {@code fixedTtl}
   * (when not negative), OPT only for a client that sent one. Null on a miss, or when the answer
   * does not fit {@code maxSize} (the full path truncates it).
   */
  byte[] getWire(Key key, WireQuery q, long nowNanos, long fixedTtl, int maxSize) {
    Entry e;
    long age;
    synchronized (this) {
      e = entries.get(key);
      if (e == null) {
        return null;
      }
      age = (nowNanos - e.storedNanos) / 1_000_000_000L;
      if (!disableExpire && age >= e.ttlSeconds) {
        entries.remove(key);
        return null;
      }
    }
    WireAnswer w = e.wire(q.payloadSize() >= 0, key.name);
    if (w == null || w.length() > maxSize) {
      return null;
    }
    return w.render(q, disableExpire ? 0 : age, fixedTtl);
  }

  void put(Key key, Message response, long nowNanos) {
    long ttl = ttlOf(response);
    if (ttl <= 0) {
      return;
    }
    synchronized (this) {
      entries.put(key, new Entry(response, nowNanos, ttl));
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
