package dev.umbra.tor.client;

import dev.umbra.core.net.Conn;
import dev.umbra.tor.cell.Conflux;
import dev.umbra.tor.channel.Channel;
import dev.umbra.tor.circuit.Circuit;
import dev.umbra.tor.circuit.ConfluxSet;
import dev.umbra.tor.circuit.HopSpec;
import dev.umbra.tor.circuit.Protocols;
import dev.umbra.tor.circuit.Tunnel;
import dev.umbra.tor.dir.DirConnector;
import dev.umbra.tor.dir.DirServer;
import dev.umbra.tor.dir.DirectoryManager;
import dev.umbra.tor.dir.NetDir;
import dev.umbra.tor.dir.Relay;
import dev.umbra.tor.guard.GuardManager;
import dev.umbra.tor.guard.GuardStateFile;
import dev.umbra.tor.path.PathSelector;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pure-Java Tor client: bootstraps a verified directory from the configured authorities, builds
 * 3-hop circuits (guard, middle, exit) and opens streams through them. Circuits are shared per
 * isolation key and retired after {@link #MAX_DIRTINESS}. Names are resolved by the exit, never
 * locally. Usable without the rest of Umbra.
 */
public final class TorClient implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(TorClient.class);
  static final Duration MAX_DIRTINESS = Duration.ofMinutes(10);
  private static final int CONNECT_ATTEMPTS = 4;
  private static final Duration DOWN_FOR = Duration.ofMinutes(1);

  /** What {@link #status()} reports. */
  public record Status(
      Instant consensusValidAfter,
      Duration consensusAge,
      int usableRelays,
      String guard,
      int openCircuits,
      int openChannels) {}

  /**
   * A circuit or conflux set in the pool; {@code stable}: built for a long-lived port, so with
   * Stable relays where possible.
   */
  private record PooledCircuit(Tunnel circuit, Relay exit, Instant created, boolean stable) {}

  /** A built circuit with the relays it runs through. */
  private record Built(Circuit circuit, Relay guard, Relay middle, Relay exit) {}

  private final TorConfig config;
  private final DirectoryManager directory;
  private final PathSelector paths;
  private final Consumer<String> progress;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final Map<Object, PooledCircuit> circuits = new ConcurrentHashMap<>();
  private final Map<String, Instant> downRelays = new ConcurrentHashMap<>();
  private final GuardManager guards;
  private NetDir guardsSeen;
  private volatile boolean closed;
  // Learned build timeouts and preemptively built ("clean") exit circuits for predicted ports.
  private final CircuitBuildTimeout buildTimeout;
  private final PreemptiveCircuits preemptive;

  public TorClient(TorConfig config, Consumer<String> progress) {
    this.config = config;
    this.progress = progress == null ? m -> {} : progress;
    this.paths = new PathSelector(config.enforceDistinctSubnets());
    Path cache = config.dataDirectory() == null ? null : config.dataDirectory();
    this.directory =
        new DirectoryManager(
            config.authorities().stream()
                .map(a -> new DirServer("authority " + a.nickname(), null, null, a.dirAddress()))
                .toList(),
            config.fallbackDirs().stream().map(FallbackDir::dirServer).toList(),
            this::directoryCaches,
            this::openDirectoryStream,
            config.authorities().stream()
                .map(DirAuthority::v3ident)
                .collect(java.util.stream.Collectors.toSet()),
            cache,
            m -> this.progress.accept(m));
    this.guards =
        new GuardManager(
            config.dataDirectory() == null
                ? null
                : new GuardStateFile(config.dataDirectory().resolve("state")),
            new GuardManager.Filter(config.excludeNodes(), config.entryNodes()),
            java.time.InstantSource.system(),
            new java.security.SecureRandom());
    this.buildTimeout = new CircuitBuildTimeout(config.dataDirectory());
    this.preemptive = new PreemptiveCircuits(this::buildClean);
  }

  /** Fetches and verifies the directory; returns when circuits can be built. */
  public void bootstrap(Duration timeout) throws IOException {
    progress.accept("bootstrap started");
    NetDir nd = directory.bootstrap(timeout);
    if (nd.relays().size() < 3) {
      throw new IOException("directory lists only " + nd.relays().size() + " usable relays");
    }
    syncGuards(nd);
    progress.accept("bootstrap done");
    preemptive.start();
  }

  /**
   * Opens a stream to {@code host:port} through the Tor network; {@code isolation} separates
   * circuits (null = the shared default). {@code host} is resolved by the exit.
   */
  public Conn connect(String host, int port, Object isolation) throws IOException {
    if (closed) {
      throw new IOException("tor client closed");
    }
    if (host.toLowerCase(Locale.ROOT).endsWith(".onion")) {
      throw new IOException("onion services are not supported yet: " + host);
    }
    if (port < 1 || port > 65535) {
      throw new IOException("bad port " + port);
    }
    Object key = isolation == null ? "default" : isolation;
    preemptive.notePort(port);
    IOException last = null;
    for (int attempt = 0; attempt < CONNECT_ATTEMPTS; attempt++) {
      PooledCircuit pc;
      try {
        pc = circuitFor(key, port);
      } catch (IOException e) {
        last = e;
        LOG.debug("circuit build failed: {}", e.getMessage());
        continue;
      }
      try {
        return pc.circuit().openStream(host, port, config.streamTimeout());
      } catch (IOException e) {
        last = e;
        LOG.debug("stream to {}:{} via {} failed: {}", host, port, pc.exit(), e.getMessage());
        if (!pc.circuit().isOpen() || e instanceof java.net.SocketTimeoutException) {
          circuits.remove(key, pc);
          pc.circuit().close();
        } else if (e.getMessage() != null && e.getMessage().contains("EXITPOLICY")) {
          circuits.remove(key, pc);
        } else {
          throw e; // the exit answered: CONNECTREFUSED, RESOLVEFAILED... is the final answer
        }
      }
    }
    throw new IOException("could not open a Tor stream to " + host + ":" + port, last);
  }

  /** Resolves {@code host} at an exit (RESOLVE), never locally. */
  public List<java.net.InetAddress> resolve(String host, Object isolation) throws IOException {
    if (host.toLowerCase(Locale.ROOT).endsWith(".onion")) {
      throw new java.net.UnknownHostException("onion addresses have no IP address: " + host);
    }
    Object key = isolation == null ? "default" : isolation;
    IOException last = null;
    for (int attempt = 0; attempt < CONNECT_ATTEMPTS; attempt++) {
      try {
        PooledCircuit pc = circuitFor(key, 80);
        return pc.circuit().resolve(host, config.streamTimeout());
      } catch (java.net.UnknownHostException e) {
        throw e; // the exit's answer
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IOException("could not resolve " + host + " through Tor", last);
  }

  private PooledCircuit circuitFor(Object key, int port) throws IOException {
    synchronized (circuits) {
      PooledCircuit pc = circuits.get(key);
      if (pc != null
          && pc.circuit().isOpen()
          && pc.exit().exitsTo(port)
          && (pc.stable() || !PathSelector.needsStable(port))
          && pc.created().plus(MAX_DIRTINESS).isAfter(Instant.now())) {
        return pc;
      }
      if (pc != null && pc.circuit().streamCount() == 0) {
        pc.circuit().close();
      }
      PooledCircuit built = confluxUsable() ? buildConflux(port) : null;
      if (built == null) {
        PreemptiveCircuits.Clean clean = preemptive.take(port);
        built =
            clean != null
                ? new PooledCircuit(clean.circuit(), clean.exit(), Instant.now(), clean.stable())
                : build(port);
      }
      circuits.put(key, built);
      return built;
    }
  }

  /** Builds a fresh 3-hop circuit whose exit allows {@code port}. */
  public Circuit buildCircuit(int port) throws IOException {
    return build(port, null, List.of()).circuit();
  }

  /**
   * Conflux (prop 329) is used for exit streams when we allow it, the consensus turns it on ({@code
   * cfx_enabled}, default 1 as in C tor) and congestion control is on (conflux needs it).
   */
  private boolean confluxUsable() {
    NetDir nd = directory.current();
    return config.conflux()
        && nd != null
        && nd.consensus().param("cfx_enabled", 1, 0, 1) == 1
        && dev.umbra.tor.circuit.CcParams.from(nd.consensus()::param).enabled();
  }

  /** An exit that can carry a conflux set: Conflux=1 and congestion control (FlowCtrl=2). */
  private static boolean confluxExit(Relay r) {
    String pr = r.status().protocols();
    return Protocols.supports(pr, "Conflux", 1) && Protocols.supports(pr, "FlowCtrl", 2);
  }

  /**
   * Builds a conflux set for {@code port} as C tor does for exit streams: {@code cfx_num_legs_set}
   * (2) circuits to one exit, none sharing a guard or a middle with another, linked with
   * CONFLUX_LINK; a leg that fails is rebuilt up to {@code cfx_max_unlinked_leg_retry} times. Null
   * when no set could be made: the caller falls back to a single circuit, as C tor does.
   */
  private PooledCircuit buildConflux(int port) throws IOException {
    NetDir nd = directory.current();
    int numLegs = nd.consensus().param("cfx_num_legs_set", 2, 2, 8);
    int retries = nd.consensus().param("cfx_max_unlinked_leg_retry", 3, 0, 255);
    List<Relay> usable = filter(nd.relays());
    NetDir view =
        new NetDir(
            nd.consensus(),
            usable.stream().filter(TorClient::confluxExit).toList(),
            nd.fetchedAt());
    Relay exit = pickExit(view, port, List.of());
    if (exit == null) {
      return null;
    }
    List<Built> legs = new ArrayList<>();
    List<Relay> used = new ArrayList<>();
    int launches = 0;
    try {
      while (legs.size() < numLegs && launches < numLegs + retries) {
        launches++;
        Built b;
        try {
          b = build(port, exit, used);
        } catch (IOException e) {
          LOG.debug("conflux leg to {} failed: {}", exit, e.getMessage());
          continue;
        }
        legs.add(b);
        used.add(b.guard());
        used.add(b.middle());
      }
      if (legs.size() < numLegs) {
        throw new IOException("could not build " + numLegs + " conflux legs to " + exit);
      }
      Duration t =
          buildTimeout.learned() ? buildTimeout.closeTimeout() : config.circuitBuildTimeout();
      ConfluxSet set =
          ConfluxSet.link(
              legs.stream().map(Built::circuit).toList(), Conflux.UX_HIGH_THROUGHPUT, t);
      progress.accept("conflux set linked to " + exit);
      return new PooledCircuit(set, exit, Instant.now(), PathSelector.needsStable(port));
    } catch (IOException | RuntimeException e) {
      LOG.debug("conflux set for port {} not made, using one circuit: {}", port, e.getMessage());
      for (Built b : legs) {
        b.circuit().close();
      }
      return null;
    }
  }

  private PooledCircuit build(int port) throws IOException {
    Built b = build(port, null, List.of());
    return new PooledCircuit(b.circuit(), b.exit(), Instant.now(), PathSelector.needsStable(port));
  }

  /**
   * Builds a 3-hop circuit for {@code port}: to {@code fixedExit} when given (a conflux leg), with
   * neither guard nor middle among {@code avoid} (the other legs' relays).
   */
  private Built build(int port, Relay fixedExit, List<Relay> avoid) throws IOException {
    NetDir nd = directory.current();
    if (nd == null) {
      throw new IOException("tor client is not bootstrapped");
    }
    syncGuards(nd);
    List<Relay> usable = filter(nd.relays());
    NetDir view = new NetDir(nd.consensus(), usable, nd.fetchedAt());
    GuardManager.Selection sel;
    Relay exit;
    if (fixedExit != null) {
      exit = fixedExit;
      List<Relay> notWith = new ArrayList<>(avoid);
      notWith.add(exit);
      sel = guards.select(GuardManager.Usage.DATA, r -> paths.compatible(r, notWith));
    } else {
      // The guard first (guard-spec: primary guards are not given up for a path restriction);
      // only when no exit fits with it, the exit first and a guard restricted to match it.
      sel = guards.select(GuardManager.Usage.DATA, r -> true);
      Relay e = pickExit(view, port, List.of(sel.relay()));
      if (e == null) {
        sel.close();
        Relay e2 = pickExit(view, port, List.of());
        if (e2 == null) {
          throw new IOException("no exit relay allows port " + port);
        }
        e = e2;
        Relay chosen = e2;
        sel = guards.select(GuardManager.Usage.DATA, r -> paths.compatible(r, List.of(chosen)));
      }
      exit = e;
    }
    Relay guard = sel.relay();
    List<Relay> notMiddle = new ArrayList<>(avoid);
    notMiddle.add(guard);
    notMiddle.add(exit);
    Relay middle = paths.middle(view, notMiddle, PathSelector.needsStable(port));
    if (middle == null) {
      sel.close();
      throw new IOException("no middle relay compatible with " + guard + " and " + exit);
    }
    buildTimeout.setParams(CircuitBuildTimeout.Params.from(nd.consensus()::param));
    // A learned timeout replaces the configured one once enough builds were seen (path-spec §2.4).
    boolean learned = buildTimeout.learned();
    Duration t = learned ? buildTimeout.closeTimeout() : config.circuitBuildTimeout();
    Channel ch;
    Circuit c;
    long t0 = System.nanoTime();
    long deadline = t0 + t.toNanos();
    try {
      ch = channel(guard.hop());
      c = Circuit.create(ch, guard.hop(), t);
    } catch (IOException e) {
      sel.failed();
      progress.accept("guard unreachable: " + guard);
      throw e;
    }
    Relay extending = middle;
    try {
      c.extend(middle.hop(), left(deadline));
      extending = exit;
      c.extend(exit.hop(), left(deadline), congestionControlFor(nd, exit));
    } catch (IOException e) {
      // A relay we could not extend to (e.g. it died but the consensus still lists it) is left
      // out of new paths for a while, as C tor marks it unreachable.
      downRelays.put(extending.status().fingerprint(), Instant.now());
      if (e.getMessage() != null && e.getMessage().contains("timed out")) {
        buildTimeout.recordTimeout();
      }
      sel.close();
      c.close();
      throw e;
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    buildTimeout.recordBuild(ms);
    if (buildTimeout.recorded() % 20 == 0) {
      buildTimeout.save();
    }
    if (learned && ms > buildTimeout.timeout().toMillis()) {
      // Past the learned timeout: measured, but not used (path-spec §2.4.4).
      buildTimeout.recordTimeout();
      sel.close();
      c.close();
      throw new IOException(
          "circuit took "
              + ms
              + " ms to build, over the learned timeout "
              + buildTimeout.timeout());
    }
    if (!sel.succeeded()) {
      // A non-primary guard: use the circuit only if no better guard turns out to work.
      boolean usableNow;
      try {
        usableNow = sel.awaitUsable(guards.nonprimaryConnectTimeout());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        usableNow = false;
      }
      if (!usableNow) {
        sel.close();
        c.close();
        throw new IOException("circuit through " + guard + " set aside: a better guard may work");
      }
    }
    LOG.debug(
        "circuit built in {} ms: {} -> {} -> {}",
        (System.nanoTime() - t0) / 1_000_000,
        guard,
        middle,
        exit);
    return new Built(c, guard, middle, exit);
  }

  /**
   * Where directory fetches go once a directory is known: the first primary guards (guard-spec
   * "directory guards", NUM_USABLE_PRIMARY_DIRECTORY_GUARDS), over BEGIN_DIR.
   */
  private List<DirServer> directoryCaches(NetDir nd) {
    syncGuards(nd);
    List<DirServer> out = new ArrayList<>();
    for (String fp : guards.directoryGuards()) {
      for (Relay r : nd.relays()) {
        if (r.status().fingerprint().equals(fp) && r.status().has("V2Dir")) {
          out.add(DirServer.cache(r));
        }
      }
    }
    return out;
  }

  /** A directory guard that cannot be reached is marked down like a failed circuit's guard. */
  private Conn openDirectoryStream(DirServer server, Duration timeout) throws IOException {
    try {
      return DirConnector.DIRECT.open(server, timeout);
    } catch (IOException e) {
      if (server.beginDir()) {
        guards.noteUnreachable(
            java.util.HexFormat.of().withUpperCase().formatHex(server.orPort().rsaId()));
      }
      throw e;
    }
  }

  /** Hands each new directory to the guard manager once (guard-spec §4.10). */
  @SuppressWarnings("ReferenceEquality") // each fetch publishes a new snapshot object
  private void syncGuards(NetDir nd) {
    synchronized (guards) {
      if (guardsSeen != nd) {
        guards.onDirectory(nd);
        guardsSeen = nd;
      }
    }
  }

  /**
   * Congestion control is requested from an exit when the consensus turns it on (cc_alg) and the
   * exit lists FlowCtrl=2 (prop 324 §10.1); otherwise the circuit keeps fixed windows.
   */
  private static dev.umbra.tor.circuit.CcParams congestionControlFor(NetDir nd, Relay exit) {
    dev.umbra.tor.circuit.CcParams cc = dev.umbra.tor.circuit.CcParams.from(nd.consensus()::param);
    if (!cc.enabled()
        || !dev.umbra.tor.circuit.Protocols.supports(exit.status().protocols(), "FlowCtrl", 2)) {
      return null;
    }
    return cc;
  }

  private static Duration left(long deadlineNanos) throws IOException {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      throw new IOException("circuit build timed out");
    }
    return Duration.ofNanos(left);
  }

  /** Builds a clean circuit for a predicted port (the preemptive builder's callback). */
  private PreemptiveCircuits.Clean buildClean(int port) throws IOException {
    if (closed) {
      throw new IOException("tor client closed");
    }
    Built b = build(port, null, List.of());
    return new PreemptiveCircuits.Clean(
        b.circuit(), b.exit(), Instant.now(), PathSelector.needsStable(port));
  }

  /** The learned circuit build timeouts (path-spec §2.4). */
  public CircuitBuildTimeout buildTimeouts() {
    return buildTimeout;
  }

  /** How many preemptively built, never used exit circuits are ready. */
  public int cleanCircuits() {
    return preemptive.size();
  }

  /** How many streams' circuits came from the preemptively built ones. */
  public int cleanCircuitsUsed() {
    return preemptive.used();
  }

  private List<Relay> filter(List<Relay> relays) {
    Instant now = Instant.now();
    downRelays.values().removeIf(t -> t.plus(DOWN_FOR).isBefore(now));
    List<Relay> out = new ArrayList<>();
    for (Relay r : relays) {
      String fp = r.status().fingerprint();
      if (!config.excludeNodes().contains(fp) && !downRelays.containsKey(fp)) {
        out.add(r);
      }
    }
    return out;
  }

  private Relay pickExit(NetDir view, int port, List<Relay> avoid) {
    NetDir exits = view;
    if (!config.exitNodes().isEmpty()) {
      exits =
          new NetDir(
              view.consensus(),
              view.relays().stream()
                  .filter(r -> config.exitNodes().contains(r.status().fingerprint()))
                  .toList(),
              view.fetchedAt());
    }
    return paths.exit(exits, port, avoid);
  }

  private Channel channel(HopSpec hop) throws IOException {
    String id = java.util.HexFormat.of().formatHex(hop.target().rsaId());
    synchronized (channels) {
      Channel ch = channels.get(id);
      if (ch != null && ch.isOpen()) {
        return ch;
      }
      ch = Channel.open(hop.target(), config.circuitBuildTimeout());
      channels.put(id, ch);
      startPadding(ch);
      return ch;
    }
  }

  /** Connection padding per the consensus (nf_ito_low/high, padding-spec §2.6). */
  private void startPadding(Channel ch) {
    NetDir nd = directory.current();
    if (nd == null) {
      return;
    }
    try {
      ch.startPadding(
          nd.consensus().param("nf_ito_low", 1500, 0, 60_000),
          nd.consensus().param("nf_ito_high", 9500, 0, 60_000));
    } catch (IOException e) {
      LOG.debug("padding negotiation on {} failed: {}", ch.target(), e.getMessage());
    }
  }

  public Status status() {
    NetDir nd = directory.current();
    Instant va = nd == null ? null : nd.consensus().validAfter();
    return new Status(
        va,
        va == null ? null : Duration.between(va, Instant.now()),
        nd == null ? 0 : nd.relays().size(),
        guards.currentGuard(),
        (int) circuits.values().stream().filter(p -> p.circuit().isOpen()).count(),
        (int) channels.values().stream().filter(Channel::isOpen).count());
  }

  /** The entry-guard state (sampled, confirmed and primary guards). */
  public GuardManager guards() {
    return guards;
  }

  public NetDir directory() {
    return directory.current();
  }

  public TorConfig config() {
    return config;
  }

  @Override
  public void close() {
    closed = true;
    preemptive.close();
    buildTimeout.save();
    directory.close();
    for (PooledCircuit pc : circuits.values()) {
      pc.circuit().close();
    }
    circuits.clear();
    for (Channel ch : channels.values()) {
      ch.close();
    }
    channels.clear();
  }

  @Override
  public String toString() {
    return "TorClient[" + Objects.requireNonNullElse(guards.currentGuard(), "no guard") + "]";
  }
}
