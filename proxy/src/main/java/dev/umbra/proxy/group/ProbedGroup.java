package dev.umbra.proxy.group;

import dev.umbra.core.adapter.Lifecycle;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.OutboundGroup;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A group whose choice depends on delay probes: {@code urltest} (fastest, with tolerance), {@code
 * fallback} (first healthy in order) and {@code loadbalance} (spread over healthy members).
 */
public final class ProbedGroup implements OutboundGroup, Lifecycle {
  private final String type;
  private final String tag;
  private final Members members;
  private final Policy policy;
  private final HealthCheck health;
  private final int tolerance;
  private volatile String fastest;
  private final LiveConnections live;

  /** How the group picks a member for a connection. */
  sealed interface Policy permits Fastest, FirstHealthy, RoundRobin, ConsistentHashing {}

  record Fastest() implements Policy {}

  record FirstHealthy() implements Policy {}

  record RoundRobin(java.util.concurrent.atomic.AtomicInteger next) implements Policy {}

  record ConsistentHashing() implements Policy {}

  public ProbedGroup(String type, String tag, UrlTestOptions o, OutboundManager outbounds) {
    this.type = type;
    this.tag = tag;
    this.members = new Members(o.outbounds(), outbounds);
    this.policy =
        switch (type) {
          case "urltest" -> new Fastest();
          case "fallback" -> new FirstHealthy();
          default -> {
            String s = o.strategy() == null ? "round-robin" : o.strategy();
            yield switch (s) {
              case "round-robin" -> new RoundRobin(new java.util.concurrent.atomic.AtomicInteger());
              case "consistent-hashing" -> new ConsistentHashing();
              default ->
                  throw new dev.umbra.core.config.ConfigException(
                      "strategy",
                      "expected 'round-robin' or 'consistent-hashing', got '" + s + "'");
            };
          }
        };
    if (o.strategy() != null && !type.equals("loadbalance")) {
      throw new dev.umbra.core.config.ConfigException(
          "strategy", "only loadbalance groups have a strategy");
    }
    if (Boolean.TRUE.equals(o.interruptExistConnections()) && !type.equals("urltest")) {
      throw new dev.umbra.core.config.ConfigException(
          "interrupt_exist_connections", "only selector and urltest groups have it");
    }
    this.live = Boolean.TRUE.equals(o.interruptExistConnections()) ? new LiveConnections() : null;
    this.tolerance = o.toleranceOrDefault();
    this.health =
        new HealthCheck(
            tag,
            members,
            new Probe(o.url()),
            o.intervalOrDefault(),
            o.idleOrDefault(),
            this::reselect);
    this.fastest = members.tags().getFirst();
  }

  @Override
  public void start(StartStage stage) {
    if (stage == StartStage.POST_START) {
      health.start();
    }
  }

  /** Probes every member now; returns delays in ms (-1 = failed). */
  public Map<String, Long> probeAll() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    health.probeAll().forEach((k, v) -> out.put(k, v.delayMillis()));
    return out;
  }

  /** After new results: the fastest changes only if another beats it by more than tolerance. */
  private synchronized void reselect() {
    String best = null;
    long bestDelay = Long.MAX_VALUE;
    for (String t : members.tags()) {
      HealthCheck.Result r = health.result(t);
      if (r != null && r.ok() && r.delayMillis() < bestDelay) {
        best = t;
        bestDelay = r.delayMillis();
      }
    }
    if (best == null) {
      return;
    }
    HealthCheck.Result current = health.result(fastest);
    if (current == null || !current.ok() || current.delayMillis() - bestDelay > tolerance) {
      String previous = fastest;
      fastest = best;
      if (live != null && !best.equals(previous)) {
        live.closeAll(tag, "switched from " + previous + " to " + best);
      }
    }
  }

  /** Members to try for this connection, best first. */
  private List<String> candidates(Metadata m) {
    List<String> tags = members.tags();
    List<String> healthy = new ArrayList<>();
    for (String t : tags) {
      HealthCheck.Result r = health.result(t);
      if (r == null || r.ok()) {
        healthy.add(t); // unprobed members count as healthy
      }
    }
    List<String> pool = healthy.isEmpty() ? tags : healthy;
    return switch (policy) {
      case Fastest f -> {
        List<String> out = new ArrayList<>(List.of(fastest));
        pool.stream().filter(t -> !t.equals(fastest)).forEach(out::add);
        yield out;
      }
      case FirstHealthy f -> pool;
      case RoundRobin r -> rotate(pool, Math.floorMod(r.next().getAndIncrement(), pool.size()));
      case ConsistentHashing c -> rotate(pool, rendezvous(pool, m.destination().host()));
    };
  }

  /** Highest-random-weight hashing: a host keeps its member while that member stays healthy. */
  private static int rendezvous(List<String> pool, String key) {
    int best = 0;
    long bestScore = Long.MIN_VALUE;
    for (int i = 0; i < pool.size(); i++) {
      long score = mix((pool.get(i) + "\u0000" + key).hashCode() * 0x9E3779B97F4A7C15L);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static List<String> rotate(List<String> pool, int start) {
    List<String> out = new ArrayList<>(pool.size());
    for (int i = 0; i < pool.size(); i++) {
      out.add(pool.get((start + i) % pool.size()));
    }
    return out;
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    health.touch();
    IOException last = null;
    for (String t : candidates(metadata)) {
      try {
        Conn c = members.get(t).dial(metadata);
        return live == null ? c : live.add(c);
      } catch (IOException e) {
        last = e;
        if (policy instanceof Fastest) {
          break; // urltest does not fail over within a connection, as in sing-box
        }
        health.markDown(t);
      }
    }
    throw last;
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    health.touch();
    IOException last = null;
    for (String t : candidates(metadata)) {
      Outbound o = members.get(t);
      if (!o.networks().contains(Network.UDP)) {
        continue;
      }
      try {
        PacketConn c = o.listenPacket(metadata);
        return live == null ? c : live.add(c);
      } catch (IOException e) {
        last = e;
        health.markDown(t);
      }
    }
    throw last != null ? last : new IOException("no member of '" + tag + "' carries udp");
  }

  @Override
  public List<String> members() {
    return members.tags();
  }

  @Override
  public String now() {
    return switch (policy) {
      case Fastest f -> fastest;
      default ->
          candidates(
                  Metadata.internal(Network.TCP, dev.umbra.core.net.Destination.of("0.0.0.0", 0)))
              .getFirst();
    };
  }

  @Override
  public List<String> dependencies() {
    return members.tags();
  }

  @Override
  public Set<Network> networks() {
    return members.networks();
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public void close() {
    health.close();
  }
}
