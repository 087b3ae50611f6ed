package dev.umbra.testkit.tor;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.PeerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private Tor network of Debian's C tor on 127.0.0.1 (the recipe of
 * shared/reference/tor-testnet): 3 directory authorities, relays of which the first few are exits,
 * and optionally a C tor client with a SOCKS port. The last two relays, when they are not exits,
 * form one "happy family" (prop 321: a shared family key, {@code FamilyId}), so their
 * microdescriptors carry {@code family-ids}. Keys, torrcs and logs live in a fresh temp directory;
 * every port is a free loopback port. {@link #close()} stops exactly the processes this object
 * started (by PID) and removes the directory.
 */
public final class TorTestNetwork implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TorTestNetwork.class);
  private static final int VOTING_INTERVAL = 20;
  private static final int VOTE_DELAY = 2;
  private static final int DIST_DELAY = 2;
  // First vote this many seconds after launch: every relay has uploaded its descriptor by then.
  private static final int ALIGN_SLACK = 8;

  /** RSA-3072 authority keys take seconds, much more on a loaded machine. */
  public static final Duration KEYGEN = Duration.ofMinutes(3);

  private static final DateTimeFormatter TOR_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  /** What to start. */
  public record Options(int relays, int exits, boolean client, Duration timeout) {
    public Options {
      if (relays < 1 || relays > 9 || exits < 1 || exits > relays) {
        throw new IllegalArgumentException("need 1..9 relays and 1..relays exits");
      }
    }

    public static Options defaults() {
      return new Options(5, 3, false, Duration.ofSeconds(90));
    }

    public Options withClient() {
      return new Options(relays, exits, true, timeout);
    }
  }

  /** A directory authority (also a non-exit relay). */
  public record Authority(
      String nickname, int orPort, int dirPort, String v3ident, String rsaIdentity) {
    /** The torrc {@code DirAuthority} line (value part) naming this authority. */
    public String dirAuthorityLine() {
      return nickname
          + " orport="
          + orPort
          + " v3ident="
          + v3ident
          + " 127.0.0.1:"
          + dirPort
          + " "
          + rsaIdentity;
    }
  }

  /** A relay of the network (authorities excluded). */
  public record Relay(String nickname, int orPort, boolean exit, String rsaIdentity) {}

  private final Path dir;
  private final List<Authority> authorities;
  private final List<Relay> relays;
  private final List<Node> nodes = new ArrayList<>();
  private int socksPort;
  private String familyId;

  private record Node(String name, Process process) {}

  private TorTestNetwork(Path dir, List<Authority> authorities, List<Relay> relays) {
    this.dir = dir;
    this.authorities = authorities;
    this.relays = relays;
  }

  /**
   * Starts a network and waits until it is usable: key generation is bounded by {@link #KEYGEN},
   * the launch until a full consensus (and the client) by {@code options.timeout()}.
   */
  public static TorTestNetwork start(Options options) throws IOException {
    PeerProcess.requireBinary("tor");
    PeerProcess.requireBinary("tor-gencert");
    long keygenDeadline = System.nanoTime() + KEYGEN.toNanos();
    Path dir = Files.createTempDirectory("umbra-tornet");
    List<String> authNames = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      authNames.add("auth" + i);
    }
    List<String> relayNames = new ArrayList<>();
    for (int j = 0; j < options.relays(); j++) {
      relayNames.add("relay" + j);
    }
    int[] authOr = new int[3];
    int[] authDir = new int[3];
    int[] relayOr = new int[options.relays()];
    for (int i = 0; i < 3; i++) {
      authDir[i] = FreePort.tcp(); // named in the authority certificate
    }
    try {
      long t0 = System.nanoTime();
      generateKeys(dir, authNames, authDir, relayNames, keygenDeadline);
      LOG.info("tor test network keys generated in {} ms", (System.nanoTime() - t0) / 1_000_000);
      // ORPorts are picked only now, so nothing else grabs them during key generation.
      for (int i = 0; i < 3; i++) {
        authOr[i] = FreePort.tcp();
      }
      for (int j = 0; j < relayOr.length; j++) {
        relayOr[j] = FreePort.tcp();
      }
      long deadline = System.nanoTime() + options.timeout().toNanos();
      List<Authority> auths = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Path d = dir.resolve(authNames.get(i));
        auths.add(
            new Authority(
                authNames.get(i),
                authOr[i],
                authDir[i],
                certFingerprint(d.resolve("keys/authority_certificate")),
                relayFingerprint(d)));
      }
      List<Relay> rels = new ArrayList<>();
      for (int j = 0; j < relayOr.length; j++) {
        rels.add(
            new Relay(
                relayNames.get(j),
                relayOr[j],
                j < options.exits(),
                relayFingerprint(dir.resolve(relayNames.get(j)))));
      }
      TorTestNetwork net = new TorTestNetwork(dir, List.copyOf(auths), List.copyOf(rels));
      try {
        net.launch(options, deadline);
      } catch (IOException | RuntimeException e) {
        net.close();
        throw e;
      }
      return net;
    } catch (IOException | RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  private static void generateKeys(
      Path dir, List<String> auths, int[] authDir, List<String> relays, long deadline)
      throws IOException {
    List<Process> procs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < auths.size(); i++) {
      Path d = mkdir(dir.resolve(auths.get(i)));
      mkdir(d.resolve("keys"));
      ProcessBuilder pb =
          new ProcessBuilder(
              "tor-gencert",
              "--create-identity-key",
              "--passphrase-fd",
              "0",
              "-m",
              "12",
              "-a",
              "127.0.0.1:" + authDir[i],
              "-i",
              d.resolve("keys/authority_identity_key").toString(),
              "-s",
              d.resolve("keys/authority_signing_key").toString(),
              "-c",
              d.resolve("keys/authority_certificate").toString());
      pb.redirectErrorStream(true).redirectOutput(d.resolve("gencert.log").toFile());
      Process p = pb.start();
      p.getOutputStream().write('\n');
      p.getOutputStream().close();
      procs.add(p);
      names.add("tor-gencert " + auths.get(i));
    }
    List<String> all = new ArrayList<>(auths);
    all.addAll(relays);
    for (String n : all) {
      Path d = mkdir(dir.resolve(n));
      ProcessBuilder pb =
          new ProcessBuilder(
              "tor",
              "--ignore-missing-torrc",
              "-f",
              d.resolve("torrc.none").toString(),
              "--DataDirectory",
              d.toString(),
              "--ORPort",
              "1",
              "--Nickname",
              n,
              "--Log",
              "err stderr",
              "--list-fingerprint");
      pb.redirectErrorStream(true).redirectOutput(d.resolve("listfp.log").toFile());
      procs.add(pb.start());
      names.add("tor --list-fingerprint " + n);
    }
    try {
      for (int k = 0; k < procs.size(); k++) {
        Process p = procs.get(k);
        long left = deadline - System.nanoTime();
        if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
          throw new IOException(names.get(k) + " did not finish in time");
        }
        if (p.exitValue() != 0) {
          throw new IOException(names.get(k) + " failed with exit code " + p.exitValue());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating keys", e);
    } finally {
      for (Process p : procs) {
        if (p.isAlive()) {
          p.destroyForcibly();
        }
      }
    }
  }

  private void launch(Options options, long deadline) throws IOException {
    String dirAuthLines =
        String.join(
            "\n", authorities.stream().map(a -> "DirAuthority " + a.dirAuthorityLine()).toList());
    // Phase the voting schedule so the first vote comes ALIGN_SLACK s after launch.
    double now = System.currentTimeMillis() / 1000.0;
    long offset = (long) Math.ceil(now + ALIGN_SLACK + VOTE_DELAY + DIST_DELAY) % VOTING_INTERVAL;
    for (Authority a : authorities) {
      writeTorrc(
          a.nickname(),
          common(a.nickname(), dirAuthLines)
              + relay(a.orPort())
              + nonExit()
              + authority(a.dirPort(), offset));
    }
    List<Relay> family = familyMembers();
    if (!family.isEmpty()) {
      familyId = makeFamily(family);
    }
    for (Relay r : relays) {
      writeTorrc(
          r.nickname(),
          common(r.nickname(), dirAuthLines)
              + relay(r.orPort())
              + (r.exit() ? exit() : nonExit())
              + (family.contains(r) ? "FamilyId " + familyId + "\n" : ""));
    }
    for (Authority a : authorities) {
      startNode(a.nickname());
    }
    for (Relay r : relays) {
      startNode(r.nickname());
    }
    int total = authorities.size() + relays.size();
    awaitConsensus(total, deadline);
    awaitLog(
        Stream.concat(
                authorities.stream().map(Authority::nickname), relays.stream().map(Relay::nickname))
            .toList(),
        "Bootstrapped 100%",
        deadline);
    if (options.client()) {
      socksPort = FreePort.tcp();
      Path d = mkdir(dir.resolve("client"));
      writeTorrc(
          "client", common("client", dirAuthLines) + "SocksPort 127.0.0.1:" + socksPort + "\n");
      startNode("client");
      awaitLog(List.of("client"), "Bootstrapped 100%", deadline);
      LOG.info("tor test client bootstrapped in {}", d);
    }
  }

  /** The last two relays if neither is an exit. */
  private List<Relay> familyMembers() {
    if (relays.size() < 2) {
      return List.of();
    }
    List<Relay> last = relays.subList(relays.size() - 2, relays.size());
    return last.stream().anyMatch(Relay::exit) ? List.of() : List.copyOf(last);
  }

  /** Generates a family key (tor --keygen-family) into each member's key directory. */
  private String makeFamily(List<Relay> members) throws IOException {
    Path d = mkdir(dir.resolve("family"));
    ProcessBuilder pb =
        new ProcessBuilder(
            "tor",
            "--ignore-missing-torrc",
            "-f",
            d.resolve("torrc.none").toString(),
            "--DataDirectory",
            d.toString(),
            "--Log",
            "err stderr",
            "--keygen-family",
            "testnet");
    pb.directory(d.toFile())
        .redirectErrorStream(true)
        .redirectOutput(d.resolve("keygen.log").toFile());
    Process p = pb.start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(
            "tor --keygen-family failed: " + Files.readString(d.resolve("keygen.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted generating a family key", e);
    }
    String id =
        Files.readAllLines(d.resolve("keygen.log")).stream()
            .filter(l -> l.startsWith("FamilyId "))
            .map(l -> l.substring(9).trim())
            .findFirst()
            .orElseThrow(() -> new IOException("tor --keygen-family printed no FamilyId"));
    for (Relay r : members) {
      Path keys = mkdir(dir.resolve(r.nickname()).resolve("keys"));
      Files.copy(d.resolve("testnet.secret_family_key"), keys.resolve("testnet.secret_family_key"));
    }
    return id;
  }

  /** The FamilyId (base64 Ed25519 key) the last two relays share, or null when they do not. */
  public String familyId() {
    return familyId;
  }

  private String common(String name, String dirAuthLines) {
    Path d = dir.resolve(name);
    return """
    TestingTorNetwork 1
    DataDirectory %1$s
    Nickname %2$s
    PidFile %1$s/pid
    RunAsDaemon 0
    Sandbox 0
    ShutdownWaitLength 0
    Log notice file %1$s/notice.log
    SafeLogging 0
    LogTimeGranularity 1
    ControlPort 0
    OutboundBindAddress 127.0.0.1
    ClientUseIPv6 0
    UseDefaultFallbackDirs 0
    PathsNeededToBuildCircuits 0.67
    %3$s
    """
        .formatted(d, name, dirAuthLines);
  }

  private static String relay(int orPort) {
    return """
    SocksPort 0
    ORPort 127.0.0.1:%d
    Address 127.0.0.1
    ContactInfo testnet@testnet.invalid
    AssumeReachable 1
    ServerDNSDetectHijacking 0
    ServerDNSTestAddresses
    ServerDNSResolvConfFile /dev/null
    """
        .formatted(orPort);
  }

  private static String nonExit() {
    return "ExitRelay 0\nExitPolicy reject *:*\n";
  }

  private static String exit() {
    // Microdescriptor policy summaries only count "accept *:port" (tor #11264), hence accept *:*;
    // OutboundBindAddressExit keeps any non-loopback exit connection unroutable.
    return """
    ExitRelay 1
    ExitPolicyRejectPrivate 0
    ExitPolicy accept 127.0.0.0/8:*
    ExitPolicy accept *:*
    ExitPolicy reject *:*
    OutboundBindAddressExit 127.0.0.1
    """;
  }

  private static String authority(int dirPort, long offset) {
    return """
    DirPort 127.0.0.1:%d
    AuthoritativeDirectory 1
    V3AuthoritativeDirectory 1
    AuthDirTestReachability 0
    TestingV3AuthInitialVotingInterval %d
    TestingV3AuthInitialVoteDelay %d
    TestingV3AuthInitialDistDelay %d
    V3AuthVotingInterval %d
    V3AuthVoteDelay %d
    V3AuthDistDelay %d
    V3AuthNIntervalsValid 2
    TestingDirAuthVoteGuard *
    TestingDirAuthVoteExit *
    TestingDirAuthVoteHSDir *
    TestingMinExitFlagThreshold 0
    TestingV3AuthVotingStartOffset %d
    ConsensusParams cc_alg=2 sendme_accept_min_version=1
    """
        .formatted(
            dirPort,
            VOTING_INTERVAL,
            VOTE_DELAY,
            DIST_DELAY,
            VOTING_INTERVAL,
            VOTE_DELAY,
            DIST_DELAY,
            offset);
  }

  private void writeTorrc(String name, String text) throws IOException {
    Files.writeString(mkdir(dir.resolve(name)).resolve("torrc"), text);
  }

  private synchronized void startNode(String name) throws IOException {
    Path d = dir.resolve(name);
    ProcessBuilder pb = new ProcessBuilder("tor", "-f", d.resolve("torrc").toString());
    pb.redirectErrorStream(true).redirectOutput(d.resolve("stdout.log").toFile());
    nodes.add(new Node(name, pb.start()));
  }

  private void awaitConsensus(int relayCount, long deadline) throws IOException {
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      checkAlive();
      for (Authority a : authorities) {
        String text = httpGet(a.dirPort(), "/tor/status-vote/current/consensus-microdesc");
        if (text == null) {
          continue;
        }
        List<String> listed = text.lines().filter(l -> l.startsWith("r ")).toList();
        long rs = listed.size();
        Instant validUntil = headerTime(text, "valid-until");
        last =
            rs
                + "/"
                + relayCount
                + " relays, valid-until "
                + validUntil
                + ", listed: "
                + listed.stream().map(l -> l.split(" ", -1)[1]).toList();
        if (rs >= relayCount && validUntil != null && validUntil.isAfter(Instant.now())) {
          return;
        }
      }
      sleep(300);
    }
    throw new IOException(
        "tor test network: no full consensus in time (" + last + ")" + diagnostics());
  }

  private void awaitLog(List<String> names, String needle, long deadline) throws IOException {
    List<String> pending = new ArrayList<>(names);
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      checkAlive();
      pending.removeIf(n -> {
        try {
          Path log = dir.resolve(n).resolve("notice.log");
          return Files.exists(log) && Files.readString(log).contains(needle);
        } catch (IOException e) {
          return false;
        }
      });
      if (!pending.isEmpty()) {
        sleep(250);
      }
    }
    if (!pending.isEmpty()) {
      throw new IOException(
          "tor test network: " + pending + " never logged '" + needle + "'" + diagnostics());
    }
  }

  /** The last notice-log lines of every node, for a failure message. */
  private String diagnostics() {
    StringBuilder b = new StringBuilder();
    for (Node n : nodes) {
      try {
        Path log = dir.resolve(n.name()).resolve("notice.log");
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        b.append("\n-- ").append(n.name()).append(n.process().isAlive() ? "" : " (exited)");
        for (String l : lines.subList(Math.max(0, lines.size() - 4), lines.size())) {
          b.append("\n   ").append(l);
        }
      } catch (IOException e) {
        b.append("\n-- ").append(n.name()).append(": ").append(e.getMessage());
      }
    }
    return b.toString();
  }

  private synchronized void checkAlive() throws IOException {
    for (Node n : nodes) {
      if (!n.process().isAlive() && !stopped.contains(n.name())) {
        String out = Files.readString(dir.resolve(n.name()).resolve("stdout.log"));
        throw new IOException("tor node " + n.name() + " exited: " + tail(out));
      }
    }
  }

  private final List<String> stopped = new ArrayList<>();

  /** GETs a document from a directory port; null when it is not (yet) served. */
  public static String httpGet(int port, String path) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(5000);
      if (c.getResponseCode() != 200) {
        c.disconnect();
        return null;
      }
      try (InputStream in = c.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      }
    } catch (IOException e) {
      return null;
    }
  }

  private static Instant headerTime(String doc, String keyword) {
    return doc.lines()
        .filter(l -> l.startsWith(keyword + " "))
        .findFirst()
        .map(l -> LocalDateTime.parse(l.substring(keyword.length() + 1).trim(), TOR_TIME))
        .map(t -> t.toInstant(ZoneOffset.UTC))
        .orElse(null);
  }

  private static String certFingerprint(Path cert) throws IOException {
    return Files.readAllLines(cert).stream()
        .filter(l -> l.startsWith("fingerprint "))
        .map(l -> l.substring("fingerprint ".length()).trim())
        .findFirst()
        .orElseThrow(() -> new IOException("no fingerprint in " + cert));
  }

  private static String relayFingerprint(Path nodeDir) throws IOException {
    String line = Files.readString(nodeDir.resolve("fingerprint")).trim();
    String fp = line.substring(line.indexOf(' ') + 1).replace(" ", "");
    if (!fp.matches("[0-9A-F]{40}")) {
      throw new IOException("bad relay fingerprint in " + nodeDir + ": " + line);
    }
    return fp;
  }

  public List<Authority> authorities() {
    return authorities;
  }

  public List<Relay> relays() {
    return relays;
  }

  /** The {@code DirAuthority} values (without the keyword) for a client's configuration. */
  public List<String> dirAuthorityLines() {
    return authorities.stream().map(Authority::dirAuthorityLine).toList();
  }

  /** The C tor client's SOCKS port (0 when no client was started). */
  public int socksPort() {
    return socksPort;
  }

  public Path directory() {
    return dir;
  }

  /** Stops one node (e.g. a guard mid-transfer) by the PID this object recorded. */
  public synchronized void stopNode(String name) {
    for (Node n : nodes) {
      if (n.name().equals(name)) {
        stopped.add(name);
        destroy(n.process());
      }
    }
  }

  @Override
  public synchronized void close() {
    for (Node n : nodes) {
      n.process().destroy();
    }
    for (Node n : nodes) {
      destroy(n.process());
    }
    nodes.clear();
    deleteTree(dir);
  }

  private static void destroy(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  private static Path mkdir(Path d) throws IOException {
    Files.createDirectories(d);
    d.toFile().setReadable(false, false);
    d.toFile().setReadable(true, true);
    d.toFile().setWritable(false, false);
    d.toFile().setWritable(true, true);
    d.toFile().setExecutable(false, false);
    d.toFile().setExecutable(true, true);
    return d;
  }

  private static String tail(String s) {
    return s.length() <= 600 ? s : s.substring(s.length() - 600);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", root, e.toString());
    }
  }
}
