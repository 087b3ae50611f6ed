package dev.umbra.tor.guard;

import dev.umbra.tor.dir.NetDir;
import dev.umbra.tor.dir.Relay;
import dev.umbra.tor.guard.SampledGuard.Reachable;
import dev.umbra.tor.path.PathSelector;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry guards per guard-spec §4: a persisted, bandwidth-weighted sample of the consensus' guards;
 * the filtered set (listed, allowed by ExcludeNodes/EntryNodes); the confirmed list (guards that
 * carried user traffic, in order); the primary guards; reachability with the spec's retry
 * schedules; and the circuit states that keep a circuit through a non-primary guard from being used
 * while a better guard may still work. Time comes from an {@link InstantSource} so the state
 * machine is testable with a fake clock.
 */
public final class GuardManager {
  private static final Logger LOG = LoggerFactory.getLogger(GuardManager.class);
  static final String VERSION = "Umbra";

  /** What a guard is picked for: user circuits use 1 primary guard, directory fetches 3. */
  public enum Usage {
    DATA,
    DIRECTORY
  }

  /** guard-spec §4.6 circuit states. */
  public enum CircuitState {
    USABLE_ON_COMPLETION,
    USABLE_IF_NO_BETTER_GUARD,
    WAITING_FOR_BETTER_GUARD,
    COMPLETE,
    FAILED,
    CLOSED
  }

  /** Which relays may be guards at all: torrc ExcludeNodes and EntryNodes (fingerprints). */
  public record Filter(Set<String> excludeNodes, Set<String> entryNodes) {
    public static final Filter NONE = new Filter(Set.of(), Set.of());

    public Filter {
      excludeNodes = Set.copyOf(excludeNodes);
      entryNodes = Set.copyOf(entryNodes);
    }

    boolean allows(String fingerprint) {
      return !excludeNodes.contains(fingerprint)
          && (entryNodes.isEmpty() || entryNodes.contains(fingerprint));
    }
  }

  private final GuardStateFile store;
  private final Filter filter;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final List<SampledGuard> sampled = new ArrayList<>();
  private final List<SampledGuard> confirmed = new ArrayList<>();
  private final List<SampledGuard> primary = new ArrayList<>();
  private final List<Selection> circuits = new ArrayList<>();
  private Map<String, Relay> listed = Map.of();
  private NetDir dir;
  private GuardParams params = GuardParams.DEFAULTS;
  private Instant lastTimeOnInternet = Instant.MIN;

  public GuardManager(
      GuardStateFile store, Filter filter, InstantSource clock, RandomGenerator random) {
    this.store = store;
    this.filter = filter;
    this.clock = clock;
    this.random = random;
    GuardStateFile.Loaded l = store == null ? null : store.load();
    if (l != null) {
      sampled.addAll(l.sampled());
      confirmed.addAll(l.confirmed());
    }
  }

  /** guard-spec §4.4 and §4.10: a new consensus updates the sample and the primary guards. */
  public synchronized void onDirectory(NetDir nd) {
    this.dir = nd;
    this.params = GuardParams.from(nd.consensus());
    Map<String, Relay> g = new HashMap<>();
    for (Relay r : nd.relays()) {
      if (isPossibleGuard(r)) {
        g.put(r.status().fingerprint(), r);
      }
    }
    this.listed = g;
    Instant now = clock.instant();
    for (SampledGuard s : sampled) {
      Relay r = g.get(s.fingerprint);
      boolean was = s.listed;
      s.listed = r != null;
      if (r != null) {
        s.nickname = r.status().nickname();
        s.unlistedSince = null;
      } else if (was || s.unlistedSince == null) {
        s.unlistedSince =
            randomPast(nd.consensus().validAfter(), params.removeUnlistedAfter().dividedBy(5));
      }
    }
    if (nd.consensus().isLive(now)) {
      expire(now);
    }
    fillSample();
    recomputePrimary();
    save();
  }

  /** guard-spec §4.0: a guard must be usable for every circuit and directory request. */
  static boolean isPossibleGuard(Relay r) {
    return r.status().has("Guard")
        && r.status().has("Stable")
        && r.status().has("Fast")
        && r.status().has("V2Dir")
        && r.status().has("Valid")
        && r.status().has("Running");
  }

  private void expire(Instant now) {
    List<SampledGuard> gone = new ArrayList<>();
    for (SampledGuard s : sampled) {
      boolean unlistedTooLong =
          !s.listed
              && s.unlistedSince != null
              && s.unlistedSince.plus(params.removeUnlistedAfter()).isBefore(now);
      boolean tooOld =
          s.sampledOn.plus(params.lifetime()).isBefore(now)
              && (s.confirmedOn == null
                  || s.confirmedOn.plus(params.confirmedMinLifetime()).isBefore(now));
      if (unlistedTooLong || tooOld) {
        gone.add(s);
      }
    }
    if (!gone.isEmpty()) {
      LOG.info("guards leaving the sample: {}", gone);
      sampled.removeAll(gone);
      confirmed.removeAll(gone);
      primary.removeAll(gone);
    }
  }

  private boolean filtered(SampledGuard s) {
    return s.listed && listed.containsKey(s.fingerprint) && filter.allows(s.fingerprint);
  }

  private boolean usableFiltered(SampledGuard s) {
    return filtered(s) && s.reachable != Reachable.NO;
  }

  private int maxSample() {
    int max =
        Math.min(params.maxSampleSize(), listed.size() * params.maxSampleThresholdPercent() / 100);
    return Math.max(max, params.minFilteredSample());
  }

  /** §4.2: grows the sample until enough usable filtered guards exist or it is at its maximum. */
  private void fillSample() {
    int max = maxSample();
    while (sampled.stream().filter(this::usableFiltered).count() < params.minFilteredSample()
        && sampled.size() < max) {
      SampledGuard added = sampleOne();
      if (added == null) {
        return;
      }
    }
  }

  /** Adds one guard from GUARDS − SAMPLED, bandwidth-weighted for the guard position. */
  private SampledGuard sampleOne() {
    if (dir == null) {
      return null;
    }
    List<Relay> candidates = new ArrayList<>();
    for (Relay r : listed.values()) {
      String fp = r.status().fingerprint();
      if (sampled.stream().noneMatch(s -> s.fingerprint.equals(fp))) {
        candidates.add(r);
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    candidates.sort(Comparator.comparing(r -> r.status().fingerprint())); // reproducible tests
    Map<String, Integer> bw = dir.consensus().bandwidthWeights();
    double total = 0;
    for (Relay r : candidates) {
      total += PathSelector.weight(bw, r, PathSelector.Position.GUARD);
    }
    Relay pick = candidates.get(random.nextInt(candidates.size())); // all weights zero: uniform
    if (total > 0) {
      double x = random.nextDouble() * total;
      for (Relay r : candidates) {
        x -= PathSelector.weight(bw, r, PathSelector.Position.GUARD);
        if (x < 0) {
          pick = r;
          break;
        }
      }
    }
    SampledGuard s = new SampledGuard(pick.status().fingerprint());
    s.nickname = pick.status().nickname();
    s.sampledOn = randomPast(clock.instant(), params.lifetime().dividedBy(10));
    s.sampledBy = VERSION;
    s.listed = true;
    sampled.add(s);
    LOG.debug("guard sampled: {}", s);
    return s;
  }

  /**
   * §4.4: confirmed ∩ filtered first, then the earlier non-confirmed primaries, then sample order.
   */
  private void recomputePrimary() {
    List<SampledGuard> p = new ArrayList<>();
    for (SampledGuard s : confirmed) {
      if (p.size() < params.nPrimary() && filtered(s)) {
        p.add(s);
      }
    }
    for (SampledGuard s : primary) {
      if (p.size() < params.nPrimary() && filtered(s) && !p.contains(s)) {
        p.add(s);
      }
    }
    for (SampledGuard s : sampled) {
      if (p.size() < params.nPrimary() && filtered(s) && !p.contains(s)) {
        p.add(s);
      }
    }
    if (!p.equals(primary)) {
      primary.clear();
      primary.addAll(p);
      LOG.debug("primary guards: {}", primary);
    }
  }

  /** §4.5: unreachable guards become "maybe" again after their retry interval. */
  private void retry(Instant now) {
    for (SampledGuard s : sampled) {
      if (s.reachable != Reachable.NO || s.failingSince == null || s.lastTriedConnect == null) {
        continue;
      }
      Duration down = Duration.between(s.failingSince, now);
      Duration every = retryInterval(primary.contains(s), down);
      if (!s.lastTriedConnect.plus(every).isAfter(now)) {
        s.reachable = Reachable.MAYBE;
      }
    }
  }

  /** PRIMARY_GUARDS_RETRY_SCHED and GUARDS_RETRY_SCHED (guard-spec A.1). */
  static Duration retryInterval(boolean primary, Duration down) {
    long h = down.toHours();
    if (primary) {
      return h < 6
          ? Duration.ofMinutes(10)
          : h < 96 ? Duration.ofMinutes(90) : h < 168 ? Duration.ofHours(4) : Duration.ofHours(9);
    }
    return h < 6
        ? Duration.ofHours(1)
        : h < 96 ? Duration.ofHours(4) : h < 168 ? Duration.ofHours(18) : Duration.ofHours(36);
  }

  /**
   * §4.6: picks the guard for a new circuit. {@code restriction} says which guards this circuit may
   * use at all (e.g. not the chosen exit or its family); it is remembered for §4.9.
   */
  public synchronized Selection select(Usage usage, Predicate<Relay> restriction)
      throws IOException {
    if (dir == null) {
      throw new IOException("no directory: cannot choose a guard");
    }
    Instant now = clock.instant();
    retry(now);
    fillSample();
    recomputePrimary();
    Predicate<SampledGuard> allowed = s -> restriction.test(listed.get(s.fingerprint));
    List<SampledGuard> usablePrimary = new ArrayList<>();
    for (SampledGuard s : primary) {
      if (s.reachable != Reachable.NO && filtered(s) && allowed.test(s)) {
        usablePrimary.add(s);
      }
    }
    SampledGuard pick;
    CircuitState state;
    if (!usablePrimary.isEmpty()) {
      int n = usage == Usage.DATA ? params.nUsablePrimary() : params.nUsablePrimaryDir();
      pick = usablePrimary.get(random.nextInt(Math.min(n, usablePrimary.size())));
      state = CircuitState.USABLE_ON_COMPLETION;
    } else {
      pick = firstNotPending(confirmed, allowed);
      if (pick == null) {
        pick = firstNotPending(sampled, allowed);
      }
      if (pick == null) {
        // Every sampled guard the circuit could use is down: try them all again (§4.6, last case).
        boolean any = false;
        for (SampledGuard s : sampled) {
          if (filtered(s) && allowed.test(s)) {
            s.reachable = Reachable.MAYBE;
            any = true;
          }
        }
        if (!any) {
          throw new IOException("no usable guard (sampled " + sampled.size() + ", all excluded)");
        }
        return select(usage, restriction);
      }
      pick.pending = true;
      state = CircuitState.USABLE_IF_NO_BETTER_GUARD;
    }
    pick.lastTriedConnect = now;
    Selection sel = new Selection(pick, listed.get(pick.fingerprint), restriction, state, now);
    circuits.add(sel);
    return sel;
  }

  /** The first usable filtered guard of {@code order} that is not pending, else the first one. */
  private SampledGuard firstNotPending(List<SampledGuard> order, Predicate<SampledGuard> allowed) {
    SampledGuard first = null;
    for (SampledGuard s : order) {
      if (usableFiltered(s) && allowed.test(s)) {
        if (!s.pending) {
          return s;
        }
        if (first == null) {
          first = s;
        }
      }
    }
    return first;
  }

  private synchronized void succeeded(Selection sel) {
    Instant now = clock.instant();
    SampledGuard g = sel.guard;
    g.reachable = Reachable.YES;
    g.failingSince = null;
    g.pending = false;
    boolean changed = false;
    if (!confirmed.contains(g)) {
      g.confirmedOn = randomPast(now, params.lifetime().dividedBy(10));
      confirmed.add(g);
      recomputePrimary();
      changed = true;
    }
    Instant lastOnline = lastTimeOnInternet;
    lastTimeOnInternet = now;
    if (sel.state == CircuitState.USABLE_ON_COMPLETION || primary.contains(g)) {
      // A guard that became primary by being confirmed makes its circuit complete at once.
      sel.state = CircuitState.COMPLETE;
    } else if (sel.state == CircuitState.USABLE_IF_NO_BETTER_GUARD) {
      sel.state = CircuitState.WAITING_FOR_BETTER_GUARD;
      sel.waitingSince = now;
      if (lastOnline.isBefore(now.minus(params.internetLikelyDown()))) {
        for (SampledGuard p : primary) {
          p.reachable = Reachable.MAYBE;
        }
      }
    }
    updateWaiting(now);
    if (changed) {
      save();
    }
    notifyAll();
  }

  private synchronized void failed(Selection sel) {
    Instant now = clock.instant();
    SampledGuard g = sel.guard;
    if (g.reachable != Reachable.NO) {
      g.failingSince = g.failingSince == null ? now : g.failingSince;
    }
    g.reachable = Reachable.NO;
    g.pending = false;
    sel.state = CircuitState.FAILED;
    // Circuits through an unreachable guard no longer block anyone.
    circuits.removeIf(c -> c.guard == g);
    updateWaiting(now);
    notifyAll();
  }

  private synchronized void closed(Selection sel) {
    if (sel.state != CircuitState.FAILED) {
      sel.state = CircuitState.CLOSED;
    }
    if (sel.guard.pending && sel.state != CircuitState.COMPLETE) {
      sel.guard.pending = false;
    }
    circuits.remove(sel);
    updateWaiting(clock.instant());
    notifyAll();
  }

  /** §4.9: a waiting circuit becomes complete when no better circuit and no primary may work. */
  private void updateWaiting(Instant now) {
    for (Selection c : List.copyOf(circuits)) {
      if (c.state == CircuitState.WAITING_FOR_BETTER_GUARD
          && c.waitingSince.plus(params.nonprimaryIdleTimeout()).isBefore(now)) {
        c.state = CircuitState.CLOSED; // idle too long: time it out
        circuits.remove(c);
      }
    }
    for (Selection c1 : List.copyOf(circuits)) {
      if (c1.state != CircuitState.WAITING_FOR_BETTER_GUARD) {
        continue;
      }
      boolean primaryMayWork = false;
      for (SampledGuard p : primary) {
        if (p.reachable != Reachable.NO && c1.restriction.test(listed.get(p.fingerprint))) {
          primaryMayWork = true;
        }
      }
      if (primaryMayWork) {
        continue;
      }
      boolean blocked = false;
      for (Selection c2 : circuits) {
        if (c2 == c1 || !c1.restriction.test(listed.get(c2.guard.fingerprint))) {
          continue;
        }
        boolean active =
            c2.state == CircuitState.COMPLETE
                || c2.state == CircuitState.WAITING_FOR_BETTER_GUARD
                || (c2.state == CircuitState.USABLE_IF_NO_BETTER_GUARD
                    && !c2.startedAt.plus(params.nonprimaryConnectTimeout()).isBefore(now));
        if (active && higherPriority(c2.guard, c1.guard)) {
          blocked = true;
          break;
        }
      }
      if (!blocked) {
        c1.state = CircuitState.COMPLETE;
      }
    }
    // Complete circuits only matter for blocking; forget the old ones to stay bounded.
    circuits.removeIf(c ->
        c.state == CircuitState.COMPLETE
            && c.startedAt.plus(params.nonprimaryIdleTimeout()).isBefore(now));
  }

  /** §4.3: guard priority order. */
  private boolean higherPriority(SampledGuard a, SampledGuard b) {
    int ia = confirmed.indexOf(a);
    int ib = confirmed.indexOf(b);
    if (ia >= 0 || ib >= 0) {
      return ia >= 0 && (ib < 0 || ia < ib);
    }
    if (a.pending != b.pending) {
      return a.pending;
    }
    if (a.lastTriedConnect != null && b.lastTriedConnect != null) {
      return a.lastTriedConnect.isBefore(b.lastTriedConnect);
    }
    return false;
  }

  private Instant randomPast(Instant now, Duration interval) {
    long span = Math.max(1, interval.toSeconds());
    return now.minusSeconds(random.nextLong(span));
  }

  private void save() {
    if (store != null) {
      store.save(sampled, confirmed);
    }
  }

  /** How long a circuit through a non-primary guard waits for better guards (guard-spec §4.9). */
  public synchronized Duration nonprimaryConnectTimeout() {
    return params.nonprimaryConnectTimeout();
  }

  /**
   * The guards to send directory requests to: the first NUM_USABLE_PRIMARY_DIRECTORY_GUARDS primary
   * guards not known to be down, in random order.
   */
  public synchronized List<String> directoryGuards() {
    List<String> out = new ArrayList<>();
    for (SampledGuard s : primary) {
      if (s.reachable != Reachable.NO && out.size() < params.nUsablePrimaryDir()) {
        out.add(s.fingerprint);
      }
    }
    java.util.Collections.shuffle(out, new java.util.Random(random.nextLong()));
    return out;
  }

  /** The primary guards' fingerprints, in order. */
  public synchronized List<String> primaryGuards() {
    return primary.stream().map(s -> s.fingerprint).toList();
  }

  /** The first primary guard not known to be down: the one user circuits use now. */
  public synchronized String currentGuard() {
    return primary.stream()
        .filter(s -> s.reachable != Reachable.NO)
        .map(s -> s.fingerprint)
        .findFirst()
        .orElse(null);
  }

  public synchronized List<String> sampledGuards() {
    return sampled.stream().map(s -> s.fingerprint).toList();
  }

  public synchronized List<String> confirmedGuards() {
    return confirmed.stream().map(s -> s.fingerprint).toList();
  }

  /**
   * A connection to a sampled guard failed outside of a circuit build (a directory fetch over
   * BEGIN_DIR): it is unreachable, as after a failed circuit (guard-spec §4.7).
   */
  public synchronized void noteUnreachable(String fingerprint) {
    Instant now = clock.instant();
    for (SampledGuard s : sampled) {
      if (s.fingerprint.equals(fingerprint)) {
        if (s.reachable != Reachable.NO) {
          s.failingSince = s.failingSince == null ? now : s.failingSince;
        }
        s.reachable = Reachable.NO;
        s.pending = false;
        s.lastTriedConnect = now;
        circuits.removeIf(c -> c.guard == s);
        updateWaiting(now);
        notifyAll();
      }
    }
  }

  /** True when the guard is sampled and known to be unreachable. */
  public synchronized boolean isDown(String fingerprint) {
    return sampled.stream()
        .anyMatch(s -> s.fingerprint.equals(fingerprint) && s.reachable == Reachable.NO);
  }

  /**
   * A guard chosen for one circuit. The circuit reports {@link #succeeded()} once the guard
   * answered (CREATED2) or {@link #failed()} if it could not be reached, and {@link #close()} when
   * it is gone. A circuit through a non-primary guard may carry streams only once {@link
   * #isUsable()} (see {@link #awaitUsable}).
   */
  public final class Selection implements AutoCloseable {
    private final SampledGuard guard;
    private final Relay relay;
    private final Predicate<Relay> restriction;
    private final Instant startedAt;
    private CircuitState state;
    private Instant waitingSince;

    private Selection(
        SampledGuard guard,
        Relay relay,
        Predicate<Relay> restriction,
        CircuitState state,
        Instant startedAt) {
      this.guard = guard;
      this.relay = relay;
      this.restriction = r -> r != null && restriction.test(r);
      this.state = state;
      this.startedAt = startedAt;
    }

    public Relay relay() {
      return relay;
    }

    public CircuitState state() {
      synchronized (GuardManager.this) {
        return state;
      }
    }

    /** The guard answered: returns whether the circuit may be used right away. */
    public boolean succeeded() {
      GuardManager.this.succeeded(this);
      return isUsable();
    }

    public void failed() {
      GuardManager.this.failed(this);
    }

    public boolean isUsable() {
      synchronized (GuardManager.this) {
        return state == CircuitState.COMPLETE;
      }
    }

    /** Waits (bounded) until this circuit is usable or can never be; true when usable. */
    public boolean awaitUsable(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (GuardManager.this) {
        while (state == CircuitState.WAITING_FOR_BETTER_GUARD) {
          updateWaiting(clock.instant());
          long left = deadline - System.nanoTime();
          if (state != CircuitState.WAITING_FOR_BETTER_GUARD || left <= 0) {
            break;
          }
          GuardManager.this.wait(Math.max(1, Math.min(left / 1_000_000, 500)));
        }
        return state == CircuitState.COMPLETE;
      }
    }

    @Override
    public void close() {
      GuardManager.this.closed(this);
    }

    @Override
    public String toString() {
      return "guard " + guard + " (" + state() + ")";
    }
  }
}
