package dev.umbra.tor.dir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a live, verified directory: fetches authority key certificates, the microdescriptor
 * consensus and the missing microdescriptors from the authorities' DirPorts; verifies signatures
 * and lifetimes; caches them in the data directory; and refetches at a random time between
 * fresh-until and valid-until, keeping the last good directory while a fetch fails.
 */
public final class DirectoryManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryManager.class);
  private static final int MDS_PER_REQUEST = 90;
  private static final Duration IO_TIMEOUT = Duration.ofSeconds(20);

  private final List<InetSocketAddress> dirPorts;
  private final Set<String> trusted;
  private final Path cacheDir;
  private final Consumer<String> progress;
  private final SecureRandom random = new SecureRandom();
  private final Map<ByteBuffer, Microdescriptor> mds = new ConcurrentHashMap<>();
  private final Map<String, KeyCertificate> certs = new ConcurrentHashMap<>();
  private volatile NetDir current;
  private volatile boolean closed;
  private Thread refresher;

  public DirectoryManager(
      List<InetSocketAddress> dirPorts,
      Set<String> trusted,
      Path cacheDir,
      Consumer<String> progress) {
    this.dirPorts = List.copyOf(dirPorts);
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
    while (current == null || !current.consensus().isLive(Instant.now())) {
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

  /** One full fetch round: certificates, consensus, missing microdescriptors. */
  public synchronized NetDir fetchOnce() throws IOException {
    List<InetSocketAddress> order = new ArrayList<>(dirPorts);
    Collections.shuffle(order, random);
    IOException last = null;
    for (InetSocketAddress a : order) {
      try {
        return fetchFrom(a);
      } catch (IOException e) {
        last = e;
        LOG.debug("directory fetch from {} failed: {}", a, e.getMessage());
      }
    }
    throw last != null ? last : new IOException("no directory authorities");
  }

  private NetDir fetchFrom(InetSocketAddress a) throws IOException {
    Instant now = Instant.now();
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
    String consText = get(a, "/tor/status-vote/current/consensus-microdesc");
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
    progress.accept("directory ready: " + nd.relays().size() + " usable relays");
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
      long wait = Duration.between(Instant.now(), at).toMillis();
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

  private String get(InetSocketAddress a, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(a, (int) IO_TIMEOUT.toMillis());
      s.setSoTimeout((int) IO_TIMEOUT.toMillis());
      return HttpDir.get(s.getInputStream(), s.getOutputStream(), path);
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
      Instant now = Instant.now();
      for (KeyCertificate k :
          KeyCertificate.parseAll(Files.readString(kf, StandardCharsets.ISO_8859_1))) {
        if (trusted.contains(k.fingerprint()) && k.expires().isAfter(now)) {
          certs.put(k.fingerprint(), k);
        }
      }
      Consensus c = Consensus.parse(Files.readString(cf, StandardCharsets.ISO_8859_1));
      c.verify(trusted, certs.values(), now);
      if (!c.isLive(now)) {
        return false;
      }
      for (Microdescriptor md :
          Microdescriptor.parseAll(Files.readString(mf, StandardCharsets.ISO_8859_1))) {
        mds.put(ByteBuffer.wrap(md.digest()), md);
      }
      current = NetDir.join(c, new HashMap<>(mds), now);
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
