package dev.umbra.tor.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Circuit build timeouts learned from history (path-spec §2.4): the last 1000 build times of 3-hop
 * circuits, a Pareto fit of their tail (Xm from the 10 most frequent 10 ms bins, alpha by maximum
 * likelihood), the timeout at the 80th percentile and the close timeout at the 99th, capped by what
 * was observed. Until {@code cbtmincircs} times are known the initial timeout (60 s) holds. When
 * nearly all recent builds time out the network changed: history is dropped. Persisted as a
 * histogram of 10 ms bins in the data directory, shuffled when read back.
 */
public final class CircuitBuildTimeout {
  private static final Logger LOG = LoggerFactory.getLogger(CircuitBuildTimeout.class);
  static final int MAX_RECORDED = 1000;
  static final int BIN_MS = 10;
  private static final String FILE = "circuit-build-times";

  /** The cbt* consensus parameters (path-spec §2.4.6). */
  public record Params(
      int minCircs,
      int numModes,
      int quantile,
      int closeQuantile,
      int recentCount,
      int maxTimeouts,
      int minTimeoutMs,
      int initialTimeoutMs) {
    public static final Params DEFAULTS = new Params(100, 10, 80, 99, 20, 18, 10, 60_000);

    /** Reads the parameters from a consensus parameter lookup (clamped, with defaults). */
    public static Params from(dev.umbra.tor.circuit.CcParams.Source s) {
      int q = s.param("cbtquantile", 80, 10, 99);
      int minT = s.param("cbtmintimeout", 10, 10, Integer.MAX_VALUE);
      return new Params(
          s.param("cbtmincircs", 100, 1, 10_000),
          s.param("cbtnummodes", 10, 1, 20),
          q,
          s.param("cbtclosequantile", 99, q, 99),
          s.param("cbtrecentcount", 20, 3, 1000),
          s.param("cbtmaxtimeouts", 18, 3, 10_000),
          minT,
          s.param("cbtinitialtimeout", 60_000, minT, Integer.MAX_VALUE));
    }
  }

  private final Path dataDirectory;
  private final int[] times = new int[MAX_RECORDED];
  private final boolean[] recent = new boolean[1000];
  private volatile Params params = Params.DEFAULTS;
  private int count;
  private int next;
  private int recentNext;
  private int recentFilled;
  private int maxObservedMs;
  private double timeoutMs;
  private double closeMs;

  public CircuitBuildTimeout(Path dataDirectory) {
    this.dataDirectory = dataDirectory;
    this.timeoutMs = Params.DEFAULTS.initialTimeoutMs();
    this.closeMs = Params.DEFAULTS.initialTimeoutMs();
    load();
  }

  public synchronized void setParams(Params p) {
    this.params = p;
    recompute();
  }

  /** A 3-hop circuit completed after {@code ms}. */
  public synchronized void recordBuild(long ms) {
    int v = (int) Math.max(1, Math.min(ms, Integer.MAX_VALUE));
    times[next] = v;
    next = (next + 1) % MAX_RECORDED;
    count = Math.min(count + 1, MAX_RECORDED);
    maxObservedMs = Math.max(maxObservedMs, v);
    noteRecent(false);
    recompute();
  }

  /** A circuit that completed its first hop timed out (or was abandoned at the close timeout). */
  public synchronized void recordTimeout() {
    noteRecent(true);
    Params p = params;
    int n = Math.min(recentFilled, p.recentCount());
    int timeouts = 0;
    for (int i = 0; i < n; i++) {
      if (recent[(recentNext - 1 - i + recent.length) % recent.length]) {
        timeouts++;
      }
    }
    if (n >= p.recentCount() && timeouts > p.maxTimeouts()) {
      // §2.4.5: the network changed; start learning again from the initial timeout (doubled if
      // it was already there).
      boolean alreadyInitial = timeoutMs >= p.initialTimeoutMs();
      count = 0;
      next = 0;
      maxObservedMs = 0;
      recentFilled = 0;
      timeoutMs = alreadyInitial ? timeoutMs * 2 : p.initialTimeoutMs();
      closeMs = Math.max(closeMs, timeoutMs);
      LOG.info("circuit build timeouts: network change detected, timeout now {} ms", timeoutMs);
    }
  }

  private void noteRecent(boolean timedOut) {
    recent[recentNext] = timedOut;
    recentNext = (recentNext + 1) % recent.length;
    recentFilled = Math.min(recentFilled + 1, recent.length);
  }

  /** Builds slower than this are not used for streams. */
  public synchronized Duration timeout() {
    return Duration.ofMillis(Math.round(timeoutMs));
  }

  /** Builds are abandoned after this. */
  public synchronized Duration closeTimeout() {
    return Duration.ofMillis(Math.round(closeMs));
  }

  /** True once enough build times are known for a fitted timeout. */
  public synchronized boolean learned() {
    return count >= params.minCircs();
  }

  public synchronized int recorded() {
    return count;
  }

  private void recompute() {
    Params p = params;
    if (count < p.minCircs()) {
      return;
    }
    double xm = xm(p.numModes());
    double sumLn = 0;
    for (int i = 0; i < count; i++) {
      sumLn += Math.log(Math.max(xm, times[i]));
    }
    double denom = sumLn - count * Math.log(xm);
    if (denom <= 0) {
      // every time at or below Xm: no tail to fit
      timeoutMs = Math.max(p.minTimeoutMs(), xm);
      closeMs = Math.max(p.initialTimeoutMs(), timeoutMs);
      return;
    }
    double alpha = count / denom;
    double t = xm / Math.pow(1.0 - p.quantile() / 100.0, 1.0 / alpha);
    double c = xm / Math.pow(1.0 - p.closeQuantile() / 100.0, 1.0 / alpha);
    timeoutMs = Math.max(p.minTimeoutMs(), Math.min(t, maxObservedMs));
    closeMs = Math.max(Math.min(c, 2.0 * maxObservedMs), p.initialTimeoutMs());
  }

  /** The weighted average of the midpoints of the {@code modes} most frequent 10 ms bins. */
  private double xm(int modes) {
    Map<Integer, Integer> bins = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      bins.merge(times[i] / BIN_MS, 1, Integer::sum);
    }
    List<Map.Entry<Integer, Integer>> sorted = new ArrayList<>(bins.entrySet());
    // most frequent first; ties go to the earlier (shorter) bin
    sorted.sort((a, b) ->
        a.getValue().equals(b.getValue())
            ? Integer.compare(a.getKey(), b.getKey())
            : Integer.compare(b.getValue(), a.getValue()));
    double sum = 0;
    long n = 0;
    for (int i = 0; i < Math.min(modes, sorted.size()); i++) {
      Map.Entry<Integer, Integer> e = sorted.get(i);
      sum += (e.getKey() * BIN_MS + BIN_MS / 2.0) * e.getValue();
      n += e.getValue();
    }
    return Math.max(1.0, sum / n);
  }

  /** Writes the histogram ("bin-midpoint-ms count" lines). */
  public void save() {
    if (dataDirectory == null) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    synchronized (this) {
      Map<Integer, Integer> bins = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        bins.merge(times[i] / BIN_MS, 1, Integer::sum);
      }
      bins.forEach(
          (bin, n) -> sb.append(bin * BIN_MS + BIN_MS / 2).append(' ').append(n).append('\n'));
    }
    try {
      Files.createDirectories(dataDirectory);
      Path tmp = dataDirectory.resolve(FILE + ".tmp");
      Files.writeString(tmp, sb.toString(), StandardCharsets.US_ASCII);
      Files.move(
          tmp,
          dataDirectory.resolve(FILE),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.info("could not save circuit build times: {}", e.getMessage());
    }
  }

  private void load() {
    if (dataDirectory == null) {
      return;
    }
    Path f = dataDirectory.resolve(FILE);
    if (!Files.exists(f)) {
      return;
    }
    List<Integer> loaded = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(f, StandardCharsets.US_ASCII)) {
        String[] parts = line.trim().split(" ", -1);
        if (parts.length != 2) {
          continue;
        }
        int ms = Integer.parseInt(parts[0]);
        int n = Integer.parseInt(parts[1]);
        if (ms <= 0 || n <= 0 || n > MAX_RECORDED) {
          continue;
        }
        for (int i = 0; i < n && loaded.size() < MAX_RECORDED; i++) {
          loaded.add(ms);
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.info("ignoring unreadable circuit build times: {}", e.getMessage());
      return;
    }
    // §2.4.2: shuffle so that old values still expire in a sensible order.
    Collections.shuffle(loaded);
    for (int ms : loaded) {
      times[next] = ms;
      next = (next + 1) % MAX_RECORDED;
      count = Math.min(count + 1, MAX_RECORDED);
      maxObservedMs = Math.max(maxObservedMs, ms);
    }
    recompute();
  }
}
