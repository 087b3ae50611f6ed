package dev.umbra.tor.path;

import dev.umbra.tor.dir.NetDir;
import dev.umbra.tor.dir.Relay;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Chooses the relays of a 3-hop exit circuit (path-spec §2): the exit first by its policy summary,
 * then the guard, then the middle; bandwidth-weighted with the consensus' bandwidth-weights; never
 * the same relay twice, never two relays of one family (mutually declared {@code family} lines or a
 * shared prop 321 family-id), and (unless switched off for a test network where every relay is
 * 127.0.0.1) never two in the same IPv4 /16. Every hop must be Fast and, for circuits to long-lived
 * ports, Stable; as C tor does, the requirement is dropped only when no relay meets it.
 */
public final class PathSelector {
  /** Positions a relay can take in a circuit. */
  public enum Position {
    GUARD,
    MIDDLE,
    EXIT
  }

  /** C tor's default LongLivedPorts: streams that need Stable relays. */
  public static final Set<Integer> LONG_LIVED_PORTS =
      Set.of(21, 22, 706, 1863, 5050, 5190, 5222, 5223, 6523, 6667, 6697, 8300);

  private final SecureRandom random = new SecureRandom();
  private final boolean enforceDistinctSubnets;

  public PathSelector(boolean enforceDistinctSubnets) {
    this.enforceDistinctSubnets = enforceDistinctSubnets;
  }

  /** True when a circuit for {@code port} needs Stable relays (LongLivedPorts). */
  public static boolean needsStable(int port) {
    return LONG_LIVED_PORTS.contains(port);
  }

  /** Picks an exit that allows {@code port} (Stable for long-lived ports). */
  public Relay exit(NetDir dir, int port, List<Relay> avoid) {
    return pick(
        dir, Position.EXIT, needsStable(port), r -> r.exitsTo(port) && compatible(r, avoid));
  }

  /** Picks a guard candidate (Guard flag) compatible with {@code avoid}. */
  public Relay guard(NetDir dir, List<Relay> avoid) {
    return pick(dir, Position.GUARD, true, r -> r.status().has("Guard") && compatible(r, avoid));
  }

  public Relay middle(NetDir dir, List<Relay> avoid) {
    return middle(dir, avoid, false);
  }

  /** Picks a middle relay; {@code needStable} for circuits to long-lived ports. */
  public Relay middle(NetDir dir, List<Relay> avoid, boolean needStable) {
    return pick(dir, Position.MIDDLE, needStable, r -> compatible(r, avoid));
  }

  /** True when {@code r} may share a circuit with every relay of {@code others}. */
  public boolean compatible(Relay r, List<Relay> others) {
    for (Relay o : others) {
      if (Arrays.equals(o.status().rsaId(), r.status().rsaId())) {
        return false;
      }
      if (enforceDistinctSubnets && sameSlash16(o, r)) {
        return false;
      }
      if (declaresFamily(o, r) && declaresFamily(r, o)) {
        return false;
      }
      if (shareFamilyId(o, r)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameSlash16(Relay a, Relay b) {
    byte[] x = a.status().address().getAddress();
    byte[] y = b.status().address().getAddress();
    return x.length == 4 && y.length == 4 && x[0] == y[0] && x[1] == y[1];
  }

  private static boolean declaresFamily(Relay a, Relay b) {
    String fp = "$" + b.status().fingerprint();
    for (String f : a.md().family()) {
      String g = f.toUpperCase(java.util.Locale.ROOT);
      if (g.startsWith(fp) || f.equals(b.status().nickname())) {
        return true;
      }
    }
    return false;
  }

  /** True when both relays list a common family-id (prop 321): proven membership, no mutuality. */
  static boolean shareFamilyId(Relay a, Relay b) {
    List<String> x = a.md().familyIds();
    if (x.isEmpty() || b.md().familyIds().isEmpty()) {
      return false;
    }
    for (String id : b.md().familyIds()) {
      if (x.contains(id)) {
        return true;
      }
    }
    return false;
  }

  private Relay pick(NetDir dir, Position pos, boolean needStable, Predicate<Relay> ok) {
    Relay r =
        pickAmong(
            dir,
            pos,
            x -> x.status().has("Fast") && (!needStable || x.status().has("Stable")) && ok.test(x));
    // C tor falls back to all relays when none has the wanted flags.
    return r != null ? r : pickAmong(dir, pos, ok);
  }

  private Relay pickAmong(NetDir dir, Position pos, Predicate<Relay> ok) {
    List<Relay> candidates = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    double total = 0;
    for (Relay r : dir.relays()) {
      if (!ok.test(r)) {
        continue;
      }
      double w = weight(dir.consensus().bandwidthWeights(), r, pos);
      candidates.add(r);
      weights.add(w);
      total += w;
    }
    if (candidates.isEmpty()) {
      return null;
    }
    if (total <= 0) {
      // All bandwidths zero (young test networks): fall back to a uniform choice.
      return candidates.get(random.nextInt(candidates.size()));
    }
    double x = random.nextDouble() * total;
    for (int i = 0; i < candidates.size(); i++) {
      x -= weights.get(i);
      if (x < 0) {
        return candidates.get(i);
      }
    }
    return candidates.getLast();
  }

  /** Consensus bandwidth times the position weight W{g,m,e}{g,m,e,d} (dir-spec §3.8.3). */
  public static double weight(Map<String, Integer> w, Relay r, Position pos) {
    boolean g = r.status().has("Guard");
    boolean e = r.status().has("Exit") && !r.status().has("BadExit");
    String kind = g && e ? "d" : g ? "g" : e ? "e" : "m";
    String key =
        switch (pos) {
          case GUARD -> "Wg" + kind;
          case MIDDLE -> "Wm" + kind;
          case EXIT -> "We" + kind;
        };
    double factor;
    if (w.isEmpty()) {
      factor = 1.0;
    } else {
      // Wge/Wgm... absent from the consensus mean the position may not use that kind of relay
      // except where the spec fixes them (Wgm = Wgg, Wem = Wee, Wmx default 1).
      Integer v = w.get(key);
      if (v == null) {
        v =
            switch (key) {
              case "Wgm" -> w.getOrDefault("Wgg", 10000);
              case "Wem" -> w.getOrDefault("Wee", 10000);
              case "Wge", "Weg" -> 0;
              default -> 10000;
            };
      }
      factor = v / 10000.0;
    }
    return Math.max(0, r.status().bandwidth()) * factor;
  }
}
