package dev.umbra.core.relay;

import dev.umbra.core.adapter.Metadata;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Up/down byte totals per inbound, outbound and user. */
public final class DefaultTrafficStats implements TrafficStats {

  /** Totals of one inbound, outbound or user. */
  public record Totals(long up, long down) {}

  private record Pair(LongAdder up, LongAdder down) {
    Pair() {
      this(new LongAdder(), new LongAdder());
    }
  }

  private final Map<String, Pair> inbounds = new ConcurrentHashMap<>();
  private final Map<String, Pair> outbounds = new ConcurrentHashMap<>();
  private final Map<String, Pair> users = new ConcurrentHashMap<>();

  @Override
  public TrafficCounter counterFor(Metadata metadata, String outboundTag) {
    Pair in = inbounds.computeIfAbsent(metadata.inbound(), k -> new Pair());
    Pair out = outbounds.computeIfAbsent(outboundTag, k -> new Pair());
    Pair user =
        metadata.user() == null ? null : users.computeIfAbsent(metadata.user(), k -> new Pair());
    return new TrafficCounter() {
      @Override
      public void addUp(long bytes) {
        in.up.add(bytes);
        out.up.add(bytes);
        if (user != null) {
          user.up.add(bytes);
        }
      }

      @Override
      public void addDown(long bytes) {
        in.down.add(bytes);
        out.down.add(bytes);
        if (user != null) {
          user.down.add(bytes);
        }
      }
    };
  }

  public Map<String, Totals> inbounds() {
    return snapshot(inbounds);
  }

  public Map<String, Totals> outbounds() {
    return snapshot(outbounds);
  }

  public Map<String, Totals> users() {
    return snapshot(users);
  }

  private static Map<String, Totals> snapshot(Map<String, Pair> m) {
    Map<String, Totals> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, new Totals(v.up.sum(), v.down.sum())));
    return out;
  }
}
