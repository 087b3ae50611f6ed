package dev.umbra.tor.path;

import dev.umbra.tor.dir.NetDir;
import dev.umbra.tor.dir.Relay;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Chooses the relays of a 3-hop exit circuit (path-spec §2): the exit first by its policy summary,
 * then the guard, then the middle; bandwidth-weighted with the consensus' bandwidth-weights; never
 * the same relay twice, never two relays of one declared family, and (unless switched off for a
 * test network where every relay is 127.0.0.1) never two in the same IPv4 /16.
 */
public final class PathSelector {
  /** Positions a relay can take in a circuit. */
  public enum Position {
    GUARD,
    MIDDLE,
    EXIT
  }

  private final SecureRandom random = new SecureRandom();
  private final boolean enforceDistinctSubnets;

  public PathSelector(boolean enforceDistinctSubnets) {
    this.enforceDistinctSubnets = enforceDistinctSubnets;
  }

  /** Picks an exit that allows {@code port}. */
  public Relay exit(NetDir dir, int port, List<Relay> avoid) {
    return pick(dir, Position.EXIT, r -> r.exitsTo(port) && compatible(r, avoid));
  }

  /** Picks a guard candidate (Guard flag) compatible with {@code avoid}. */
  public Relay guard(NetDir dir, List<Relay> avoid) {
    return pick(dir, Position.GUARD, r -> r.status().has("Guard") && compatible(r, avoid));
  }

  public Relay middle(NetDir dir, List<Relay> avoid) {
    return pick(dir, Position.MIDDLE, r -> compatible(r, avoid));
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

  private Relay pick(NetDir dir, Position pos, Predicate<Relay> ok) {
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
  static double weight(Map<String, Integer> w, Relay r, Position pos) {
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
