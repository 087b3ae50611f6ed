package dev.umbra.dns.router;

import dev.umbra.dns.message.Messages;
import java.util.LinkedHashMap;
import java.util.Map;
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
  record Key(Name name, int type, int dclass, String server) {}

  private record Entry(Message message, long storedNanos, long ttlSeconds) {}

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
      long age = (nowNanos - e.storedNanos()) / 1_000_000_000L;
      if (!disableExpire && age >= e.ttlSeconds()) {
        entries.remove(key);
        return null;
      }
    }
    long age = disableExpire ? 0 : (nowNanos - e.storedNanos()) / 1_000_000_000L;
    return Messages.mapTtl(e.message(), ttl -> Math.max(0, ttl - age));
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
