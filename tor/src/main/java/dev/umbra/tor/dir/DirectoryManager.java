package dev.umbra.tor.dir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a live, verified directory: fetches authority key certificates, the microdescriptor
 * consensus (as a diff from the one we have when the server offers it, proposal 140) and the
 * missing microdescriptors; verifies signatures and lifetimes; caches them in the data directory;
 * and refetches at a random time between fresh-until and valid-until, keeping the last good
 * directory while a fetch fails. Sources, in order: directory caches chosen by the client (its
 * directory guards, over BEGIN_DIR) once it has a directory, then the fallback directories, and the
 * authorities only when neither answered.
 */
public final class DirectoryManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryManager.class);
  private static final int MDS_PER_REQUEST = 90;
  private static final Duration IO_TIMEOUT = Duration.ofSeconds(20);

  private static final String CONSENSUS = "/tor/status-vote/current/consensus-microdesc";

  private final List<DirServer> authorities;
  private final List<DirServer> fallbacks;
  private final Function<NetDir, List<DirServer>> caches;
  private final DirConnector connector;
  private final InstantSource clock;
  private final AtomicInteger diffsApplied = new AtomicInteger();
  private volatile String currentText;
  private volatile DirServer lastSource;
  private final Set<String> trusted;
  private final Path cacheDir;
  private final Consumer<String> progress;
  private final SecureRandom random = new SecureRandom();
  private final Map<ByteBuffer, Microdescriptor> mds = new ConcurrentHashMap<>();
  private final Map<String, KeyCertificate> certs = new ConcurrentHashMap<>();
  private volatile NetDir current;
  private volatile boolean closed;
  private Thread refresher;

  /** Authorities' DirPorts only. */
  public DirectoryManager(
      List<InetSocketAddress> dirPorts,
      Set<String> trusted,
      Path cacheDir,
      Consumer<String> progress) {
    this(
        dirPorts.stream().map(a -> new DirServer("authority " + a, null, null, a)).toList(),
        List.of(),
        nd -> List.of(),
        DirConnector.DIRECT,
        trusted,
        cacheDir,
        progress);
  }

  /**
   * @param authorities the authorities' DirPorts (or ORPorts), tried last
   * @param fallbacks fallback directories (torrc FallbackDir), tried before the authorities
   * @param caches the directory caches to ask once a directory is known (the directory guards)
   */
  public DirectoryManager(
      List<DirServer> authorities,
      List<DirServer> fallbacks,
      Function<NetDir, List<DirServer>> caches,
      DirConnector connector,
      Set<String> trusted,
      Path cacheDir,
      Consumer<String> progress) {
    this(
        authorities,
        fallbacks,
        caches,
        connector,
        trusted,
        cacheDir,
        progress,
        InstantSource.system());
  }

  /** As above, with the clock that judges lifetimes (tests). */
  public DirectoryManager(
      List<DirServer> authorities,
      List<DirServer> fallbacks,
      Function<NetDir, List<DirServer>> caches,
      DirConnector connector,
      Set<String> trusted,
      Path cacheDir,
      Consumer<String> progress,
      InstantSource clock) {
    this.clock = clock;
    this.authorities = List.copyOf(authorities);
    this.fallbacks = List.copyOf(fallbacks);
    this.caches = caches;
    this.connector = connector;
    this.trusted = Set.copyOf(trusted);
    this.cacheDir = cacheDir;
    this.progress = progress;
  }

  /** Loads a still-live cached directory or fetches one; bounded by {@code timeout}. */
  public NetDir bootstrap(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (cacheDir != null && loadCache()) {
      progress.accept("directory loaded from cache");
    }
    IOException last = null;
    while (current == null || !current.consensus().isLive(clock.instant())) {
      try {
        fetchOnce();
      } catch (IOException e) {
        last = e;
        LOG.debug("directory fetch failed: {}", e.getMessage());
        if (System.nanoTime() > deadline) {
          throw new IOException("no usable directory within " + timeout, e);
        }
        sleep(500);
      }
      if (System.nanoTime() > deadline && current == null) {
        throw new IOException("no usable directory within " + timeout, last);
      }
    }
    startRefresher();
    return current;
  }

  public NetDir current() {
    return current;
  }

  /** How many consensus diffs were applied so far. */
  public int diffsApplied() {
    return diffsApplied.get();
  }

  /** The server the last directory came from (null before the first fetch). */
  public DirServer lastSource() {
    return lastSource;
  }

  /** One full fetch round: certificates, consensus, missing microdescriptors. */
  public synchronized NetDir fetchOnce() throws IOException {
    List<DirServer> order = new ArrayList<>();
    NetDir nd = current;
    if (nd != null) {
      try {
        order.addAll(caches.apply(nd));
      } catch (RuntimeException e) {
        LOG.debug("no directory caches: {}", e.toString());
      }
    }
    List<DirServer> fb = new ArrayList<>(fallbacks);
    Collections.shuffle(fb, random);
    order.addAll(fb);
    List<DirServer> auth = new ArrayList<>(authorities);
    Collections.shuffle(auth, random);
    order.addAll(auth);
    IOException last = null;
    for (DirServer a : order) {
      try {
        return fetchFrom(a);
      } catch (IOException e) {
        last = e;
        LOG.debug("directory fetch from {} failed: {}", a, e.getMessage());
      }
    }
    throw last != null ? last : new IOException("no directory authorities");
  }

  private NetDir fetchFrom(DirServer a) throws IOException {
    Instant now = clock.instant();
    if (!certs.keySet().containsAll(trusted)
        || certs.values().stream().anyMatch(c -> c.expires().isBefore(now))) {
      String text = get(a, "/tor/keys/fp/" + String.join("+", trusted));
      for (KeyCertificate c : KeyCertificate.parseAll(text)) {
        if (trusted.contains(c.fingerprint()) && c.expires().isAfter(now)) {
          certs.put(c.fingerprint(), c);
        }
      }
      progress.accept("authority certificates: " + certs.size() + "/" + trusted.size());
    }
    String consText = fetchConsensus(a);
    Consensus c = Consensus.parse(consText);
    c.verify(trusted, certs.values(), now);
    if (!c.isLive(now)) {
      throw new DirException(
          "consensus from "
              + a
              + " is not live (valid "
              + c.validAfter()
              + " .. "
              + c.validUntil()
              + ")");
    }
    if (current != null && !c.validAfter().isAfter(current.consensus().validAfter())) {
      return current; // nothing newer
    }
    progress.accept(
        "consensus valid-after " + c.validAfter() + ", " + c.routers().size() + " relays");
    List<String> missing = new ArrayList<>();
    for (RouterStatus rs : c.routers()) {
      if (!mds.containsKey(ByteBuffer.wrap(rs.microdescDigest()))) {
        missing.add(Base64.getEncoder().withoutPadding().encodeToString(rs.microdescDigest()));
      }
    }
    for (int i = 0; i < missing.size(); i += MDS_PER_REQUEST) {
      List<String> part = missing.subList(i, Math.min(missing.size(), i + MDS_PER_REQUEST));
      String text = get(a, "/tor/micro/d/" + String.join("-", part));
      for (Microdescriptor md : Microdescriptor.parseAll(text)) {
        String d = Base64.getEncoder().withoutPadding().encodeToString(md.digest());
        if (part.contains(d)) { // never store a microdescriptor we did not ask for
          mds.put(ByteBuffer.wrap(md.digest()), md);
        }
      }
    }
    // Forget microdescriptors the new consensus no longer lists.
    Set<ByteBuffer> listed = new java.util.HashSet<>();
    for (RouterStatus rs : c.routers()) {
      listed.add(ByteBuffer.wrap(rs.microdescDigest()));
    }
    mds.keySet().retainAll(listed);
    NetDir nd = NetDir.join(c, new HashMap<>(mds), now);
    current = nd;
    currentText = consText;
    lastSource = a;
    progress.accept("directory ready: " + nd.relays().size() + " usable relays, from " + a);
    if (cacheDir != null) {
      saveCache(consText);
    }
    return nd;
  }

  private void startRefresher() {
    synchronized (this) {
      if (refresher != null) {
        return;
      }
      refresher = Thread.ofVirtual().name("tor-dir-refresh").start(this::refreshLoop);
    }
  }

  private void refreshLoop() {
    while (!closed) {
      NetDir nd = current;
      Instant fresh = nd.consensus().freshUntil();
      Instant valid = nd.consensus().validUntil();
      long span = Math.max(1, Duration.between(fresh, valid).toMillis());
      // dir-spec §5.1: a random time in the first part of [fresh-until, valid-until).
      Instant at = fresh.plusMillis((long) (random.nextDouble() * span * 0.5));
      long wait = Duration.between(clock.instant(), at).toMillis();
      if (wait > 0) {
        sleep(wait);
      }
      if (closed) {
        return;
      }
      try {
        fetchOnce();
      } catch (IOException e) {
        LOG.info("directory refresh failed (keeping the last directory): {}", e.getMessage());
        sleep(1000);
      }
    }
  }

  /**
   * The consensus text: asks for a diff from the one we have (X-Or-Diff-From-Consensus) and applies
   * it; any problem with the diff means one more request for the full document.
   */
  private String fetchConsensus(DirServer a) throws IOException {
    String have = currentText;
    if (have == null) {
      return get(a, CONSENSUS, Map.of());
    }
    String body =
        get(a, CONSENSUS, Map.of("X-Or-Diff-From-Consensus", ConsensusDiff.signedDigest(have)));
    if (!ConsensusDiff.isDiff(body)) {
      return body;
    }
    try {
      String text = ConsensusDiff.apply(have, body);
      diffsApplied.incrementAndGet();
      progress.accept("consensus diff applied (" + body.length() + " bytes) from " + a);
      return text;
    } catch (DirException e) {
      LOG.info(
          "consensus diff from {} unusable ({}); fetching the full consensus", a, e.getMessage());
      String full = get(a, CONSENSUS, Map.of());
      if (ConsensusDiff.isDiff(full)) {
        throw new DirException(a + " sent a diff where the full consensus was asked for");
      }
      return full;
    }
  }

  private String get(DirServer a, String path) throws IOException {
    return get(a, path, Map.of());
  }

  private String get(DirServer a, String path, Map<String, String> headers) throws IOException {
    try (dev.umbra.core.net.Conn c = connector.open(a, IO_TIMEOUT)) {
      return HttpDir.get(c.in(), c.out(), path, headers);
    }
  }

  private boolean loadCache() {
    try {
      Path cf = cacheDir.resolve("cached-microdesc-consensus");
      Path mf = cacheDir.resolve("cached-microdescs");
      Path kf = cacheDir.resolve("cached-certs");
      if (!Files.exists(cf) || !Files.exists(mf) || !Files.exists(kf)) {
        return false;
      }
      Instant now = clock.instant();
      for (KeyCertificate k :
          KeyCertificate.parseAll(Files.readString(kf, StandardCharsets.ISO_8859_1))) {
        if (trusted.contains(k.fingerprint()) && k.expires().isAfter(now)) {
          certs.put(k.fingerprint(), k);
        }
      }
      String text = Files.readString(cf, StandardCharsets.ISO_8859_1);
      Consensus c = Consensus.parse(text);
      c.verify(trusted, certs.values(), now);
      currentText = text; // even an expired one can be the base of a diff
      if (!c.isLive(now)) {
        return false;
      }
      for (Microdescriptor md :
          Microdescriptor.parseAll(Files.readString(mf, StandardCharsets.ISO_8859_1))) {
        mds.put(ByteBuffer.wrap(md.digest()), md);
      }
      current = NetDir.join(c, new HashMap<>(mds), now);
      currentText = text;
      return !current.relays().isEmpty();
    } catch (IOException | RuntimeException e) {
      LOG.info("directory cache unusable: {}", e.getMessage());
      return false;
    }
  }

  private void saveCache(String consensusText) {
    try {
      Files.createDirectories(cacheDir);
      write(cacheDir.resolve("cached-microdesc-consensus"), consensusText);
      StringBuilder certText = new StringBuilder();
      for (KeyCertificate k : certs.values()) {
        certText.append(k.text());
      }
      write(cacheDir.resolve("cached-certs"), certText.toString());
      StringBuilder mdText = new StringBuilder();
      for (Microdescriptor md : mds.values()) {
        mdText.append(md.text());
      }
      write(cacheDir.resolve("cached-microdescs"), mdText.toString());
    } catch (IOException e) {
      LOG.info("could not write the directory cache: {}", e.getMessage());
    }
  }

  private static void write(Path p, String text) throws IOException {
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.ISO_8859_1);
    Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    Thread t = refresher;
    if (t != null) {
      t.interrupt();
    }
  }
}
