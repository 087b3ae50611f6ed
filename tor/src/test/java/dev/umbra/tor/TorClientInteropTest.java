package dev.umbra.tor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.net.Conn;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.tor.TorTestNetwork;
import dev.umbra.tor.cell.TorProtocolException;
import dev.umbra.tor.channel.Channel;
import dev.umbra.tor.channel.RelayTarget;
import dev.umbra.tor.circuit.Circuit;
import dev.umbra.tor.circuit.HopSpec;
import dev.umbra.tor.circuit.TorStream;
import dev.umbra.tor.client.DirAuthority;
import dev.umbra.tor.client.FallbackDir;
import dev.umbra.tor.client.TorClient;
import dev.umbra.tor.client.TorConfig;
import dev.umbra.tor.dir.HttpDir;
import dev.umbra.tor.dir.Relay;
import dev.umbra.tor.path.PathSelector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The pure-Java client against a private network of real C tor relays (one network for the whole
 * class): link handshakes with CERTS validation, a verified directory, 3-hop circuits with ntor and
 * tor1 relay crypto, streams with SENDME v1 flow control both ways, and the {@code tor} outbound
 * behind Umbra's mixed inbound driven by curl. The testkit network (with its C tor client, checked
 * first) is shared by every test here.
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TorClientInteropTest {
  static TorTestNetwork net;
  static HttpOrigin origin;
  static TorClient client;
  static Path dataDir;
  static final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    net = TorTestNetwork.start(TorTestNetwork.Options.defaults().withClient());
    dataDir = Files.createTempDirectory("umbra-tor-client");
    List<DirAuthority> auths = net.dirAuthorityLines().stream().map(DirAuthority::parse).toList();
    // Single circuits here (what this class proves); conflux sets: ConfluxInteropTest.
    client = new TorClient(TorConfig.testing(auths, dataDir).withConflux(false), events::add);
    client.bootstrap(Duration.ofSeconds(60));
    assertThat(events).contains("bootstrap started", "bootstrap done");
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (net != null) {
      net.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void testNetworkCarriesTheCTorClientToo() throws Exception {
    assertThat(net.authorities()).hasSize(3);
    assertThat(net.relays()).hasSize(5);
    assertThat(net.dirAuthorityLines().getFirst())
        .matches("auth0 orport=\\d+ v3ident=[0-9A-F]{40} 127\\.0\\.0\\.1:\\d+ [0-9A-F]{40}");
    Curl.Result r =
        Curl.run("--socks5-hostname", "127.0.0.1:" + net.socksPort(), origin.url("/small"));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.text()).isEqualTo("ok\n");
  }

  @Test
  void directoryIsVerifiedAndComplete() {
    TorClient.Status s = client.status();
    assertThat(s.usableRelays()).isEqualTo(8);
    assertThat(s.consensusAge()).isLessThan(Duration.ofMinutes(2));
    long exits = client.directory().relays().stream().filter(r -> r.exitsTo(80)).count();
    assertThat(exits).isEqualTo(3);
    assertThat(dataDir.resolve("cached-microdesc-consensus")).exists();
    assertThat(dataDir.resolve("cached-microdescs")).exists();
  }

  @Test
  void linkHandshakeProvesEveryRelaysIdentities() throws Exception {
    for (Relay r : client.directory().relays()) {
      try (Channel ch = Channel.open(r.hop().target(), Duration.ofSeconds(20))) {
        assertThat(ch.linkVersion()).isEqualTo(5);
        assertThat(ch.identities().rsaId()).isEqualTo(r.status().rsaId());
        assertThat(ch.identities().ed25519Id()).isEqualTo(r.md().ed25519Id());
      }
      assertThat(r.hop().ntorV3()).isTrue();
    }
    Relay r = client.directory().relays().getFirst();
    byte[] wrong = r.status().rsaId().clone();
    wrong[0] ^= 1;
    RelayTarget impostor = new RelayTarget(r.hop().target().address(), wrong, null);
    assertThatThrownBy(() -> Channel.open(impostor, Duration.ofSeconds(20)))
        .isInstanceOf(TorProtocolException.class)
        .hasMessageContaining("another RSA identity");
  }

  @Test
  void oneHopDirectoryStreamFetchesTheConsensus() throws Exception {
    Relay r = client.directory().relays().getFirst();
    // ntor (v1) here; the 3-hop circuits of the other tests use ntor-v3 (every relay has Relay=4).
    HopSpec v1 = new HopSpec(r.hop().target(), r.hop().ntorOnionKey(), false);
    try (Channel ch = Channel.open(r.hop().target(), Duration.ofSeconds(20));
        Circuit c = Circuit.create(ch, v1, Duration.ofSeconds(20));
        Conn s = c.openDirStream(Duration.ofSeconds(20))) {
      String text = HttpDir.get(s.in(), s.out(), "/tor/status-vote/current/consensus-microdesc");
      assertThat(text).startsWith("network-status-version 3 microdesc");
    }
  }

  @Test
  void httpGetThroughThreeHops() throws Exception {
    assertThat(get("/small", null)).isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(client.status().guard()).matches("[0-9A-F]{40}");
    // guard-spec sets: the guard in use is primary and confirmed, the sample is persisted
    assertThat(client.guards().primaryGuards()).contains(client.status().guard());
    assertThat(client.guards().confirmedGuards()).contains(client.status().guard());
    assertThat(Files.readString(dataDir.resolve("state")))
        .contains("Guard in=default rsa_id=" + client.status().guard());
    for (String fp : client.guards().sampledGuards()) {
      Relay r =
          client.directory().relays().stream()
              .filter(x -> x.status().fingerprint().equals(fp))
              .findFirst()
              .orElseThrow();
      assertThat(r.status().flags()).contains("Guard", "V2Dir");
    }
  }

  @Test
  void happyFamilyMembersAreNeverCombined() {
    // testkit puts the two middle relays in one family (FamilyId): C tor 0.4.9's authorities
    // publish family-ids in their microdescriptors.
    Relay r3 = relay("relay3");
    Relay r4 = relay("relay4");
    assertThat(net.familyId()).isNotNull();
    assertThat(r3.md().familyIds()).isNotEmpty().isEqualTo(r4.md().familyIds());
    assertThat(r3.md().familyIds()).anyMatch(id -> id.contains(net.familyId()));
    assertThat(r3.md().family()).isEmpty(); // no MyFamily lines: only the family-ids bind them
    PathSelector ps = new PathSelector(false);
    assertThat(ps.compatible(r3, List.of(r4))).isFalse();
    assertThat(ps.compatible(r3, List.of(relay("relay0")))).isTrue();
  }

  private static Relay relay(String nickname) {
    return client.directory().relays().stream()
        .filter(r -> r.status().nickname().equals(nickname))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void refreshesComeAsDiffsFromDirectoryGuardsOverBeginDir() throws Exception {
    // The network's consensus lives 40 s: within ~60 s the client refetches, from its directory
    // guards (C tor relays acting as caches) over BEGIN_DIR, asking for a diff.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline
        && events.stream()
            .noneMatch(e -> e.startsWith("consensus diff applied") && e.contains("BEGIN_DIR"))) {
      Thread.sleep(500);
    }
    assertThat(events)
        .anyMatch(e -> e.startsWith("consensus diff applied") && e.contains("BEGIN_DIR"));
    assertThat(client.status().consensusAge()).isLessThan(Duration.ofSeconds(60));
  }

  @Test
  void bootstrapsFromFallbackDirectoriesWithoutAuthorityDirPorts() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    // Authorities only as signers: their DirPorts point at a closed port.
    List<DirAuthority> auths =
        net.authorities().stream()
            .map(a ->
                DirAuthority.parse(
                    a.dirAuthorityLine().replace(":" + a.dirPort() + " ", ":" + closed + " ")))
            .toList();
    List<FallbackDir> fallbacks =
        net.relays().stream()
            .map(r ->
                FallbackDir.parse(
                    "127.0.0.1:" + closed + " orport=" + r.orPort() + " id=" + r.rsaIdentity()))
            .toList();
    List<String> ev = new CopyOnWriteArrayList<>();
    try (TorClient fb =
        new TorClient(TorConfig.testing(auths, null).withFallbackDirs(fallbacks), ev::add)) {
      fb.bootstrap(Duration.ofSeconds(60));
      assertThat(fb.directory().relays()).hasSize(8);
      assertThat(ev).anyMatch(e -> e.startsWith("directory ready") && e.contains("fallback"));
      try (Conn c = fb.connect("127.0.0.1", origin.port(), null)) {
        c.out().write("GET /small HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        c.out().flush();
        assertThat(body(readAll(c.in()))).isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  @Test
  void largeDownloadIsIntactWithSendmes() throws Exception {
    int n = 50 << 20;
    byte[] body = get("/bytes/" + n, "big");
    assertThat(body).hasSize(n);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertThat(sha.digest(body)).isEqualTo(sha.digest(HttpOrigin.bytes(n)));
  }

  @Test
  void uploadIsEchoedIntact() throws Exception {
    byte[] payload = HttpOrigin.bytes(3 << 20); // > 1000 cells: needs the exit's SENDMEs
    try (Conn c = client.connect("127.0.0.1", origin.port(), "upload")) {
      c.out()
          .write(
              ("POST /echo HTTP/1.0\r\nHost: x\r\nContent-Length: " + payload.length + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      Future<byte[]> reader =
          Executors.newVirtualThreadPerTaskExecutor().submit(() -> readAll(c.in()));
      c.out().write(payload);
      c.out().flush();
      byte[] answer = reader.get(120, TimeUnit.SECONDS);
      assertThat(body(answer)).isEqualTo(payload);
      // our upload ran under Tor-Vegas: the exit's SENDMEs gave RTT samples
      Circuit.Congestion cc = ((TorStream) c).circuit().congestion();
      assertThat(cc.enabled()).isTrue();
      assertThat(cc.rtt()).isPositive();
    }
  }

  @Test
  void congestionControlIsNegotiatedWithTheExits() throws Exception {
    // The network's consensus says cc_alg=2 and its exits list FlowCtrl=2: the ntor-v3
    // handshake with the exit carries the CC request and the exit grants sendme_inc 31.
    try (Conn c = client.connect("127.0.0.1", origin.port(), "cc")) {
      Circuit circuit = ((TorStream) c).circuit();
      assertThat(circuit.congestionControlled()).isTrue();
      assertThat(circuit.congestion().sendmeInc()).isEqualTo(31);
      assertThat(circuit.congestion().cwnd()).isEqualTo(124);
    }
  }

  @Test
  void closingAStreamMidTransferLeavesAHalfClosedRecordAndTheCircuitWorks() throws Exception {
    Circuit circuit;
    try (Conn c = client.connect("127.0.0.1", origin.port(), "half")) {
      circuit = ((TorStream) c).circuit();
      c.out()
          .write(
              ("GET /bytes/" + (8 << 20) + " HTTP/1.0\r\nHost: x\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      c.out().flush();
      assertThat(c.in().read(new byte[4096])).isPositive();
    } // END while the exit is still sending: its late DATA lands on the half-closed record
    assertThat(circuit.halfClosedCount()).isEqualTo(1);
    assertThat(get("/bytes/200000", "half")).isEqualTo(HttpOrigin.bytes(200000));
    assertThat(circuit.isOpen()).isTrue();
  }

  @Test
  void paddingIsNegotiatedAndIdleChannelsArePadded() throws Exception {
    Relay r = client.directory().relays().getLast();
    try (Channel ch = Channel.open(r.hop().target(), Duration.ofSeconds(20));
        Circuit c = Circuit.create(ch, r.hop(), Duration.ofSeconds(20))) {
      ch.startPadding(1500, 9500); // the consensus defaults (nf_ito_low/high)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      while (ch.paddingSent() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      // C tor accepted PADDING_NEGOTIATE START and our PADDING cells: channel and circuit live on
      assertThat(ch.paddingSent()).isGreaterThanOrEqualTo(2);
      assertThat(ch.isOpen()).isTrue();
      assertThat(c.isOpen()).isTrue();
      try (Conn s = c.openDirStream(Duration.ofSeconds(20))) {
        assertThat(HttpDir.get(s.in(), s.out(), "/tor/status-vote/current/consensus-microdesc"))
            .startsWith("network-status-version 3 microdesc");
      }
    }
  }

  @Test
  void cleanCircuitsAreBuiltAheadForPredictedPortsAndUsed() throws Exception {
    get("/small", null); // port of the origin is now predicted
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (client.cleanCircuits() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(client.cleanCircuits()).isPositive();
    int used = client.cleanCircuitsUsed();
    assertThat(get("/small", "fresh-key-for-a-clean-circuit"))
        .isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(client.cleanCircuitsUsed()).isEqualTo(used + 1);
    assertThat(client.buildTimeouts().recorded()).isPositive();
    client.buildTimeouts().save();
    assertThat(dataDir.resolve("circuit-build-times")).exists();
  }

  @Test
  void twentyParallelStreams() throws Exception {
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<byte[]>> fs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int size = 100_000 + i;
        fs.add(ex.submit(() -> get("/bytes/" + size, "parallel")));
      }
      for (int i = 0; i < 20; i++) {
        assertThat(fs.get(i).get(120, TimeUnit.SECONDS)).isEqualTo(HttpOrigin.bytes(100_000 + i));
      }
    }
  }

  @Test
  void isolationKeysGetSeparateCircuits() throws Exception {
    get("/small", "alice");
    get("/small", "bob");
    assertThat(client.status().openCircuits()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void refusedConnectionEndsTheStreamCleanly() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThatThrownBy(() -> client.connect("127.0.0.1", closed, "refused"))
        .isInstanceOf(IOException.class);
    // the circuit survives: the next stream on it works
    assertThat(get("/small", "refused")).isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void resolveIsAnsweredByTheExit() {
    // The test network's exits have no resolver: the RESOLVED answer is an error, never a local
    // lookup (which would find "localhost").
    assertThatThrownBy(() -> client.resolve("localhost", "resolve"))
        .isInstanceOf(java.net.UnknownHostException.class)
        .hasMessageContaining("exit could not resolve");
  }

  @Test
  void onionAddressesAreRefusedClearly() {
    assertThatThrownBy(() -> client.connect("abcdef.onion", 80, null))
        .hasMessageContaining("onion services are not supported yet");
  }

  @Test
  void curlThroughMixedInboundAndTorOutbound() throws Exception {
    int port = FreePort.tcp();
    String authorities = String.join("\\n", net.dirAuthorityLines());
    Path dd = Files.createTempDirectory("umbra-tor-outbound");
    String json =
        """
        {
          "log": {"level": "warn"},
          "inbounds": [{"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
          "outbounds": [{"type": "tor", "tag": "tor-out", "data_directory": "%s",
            "torrc": {"DirAuthority": "%s", "TestingTorNetwork": "1", "UseDefaultFallbackDirs": "0"}}]
        }
        """
            .formatted(port, dd, authorities);
    Registry r = Registry.loadAll();
    Umbra u = Umbra.start(ConfigLoader.load(Jsonc.parse(json, "test"), r), r);
    try {
      Curl.Result res = Curl.run("--socks5-hostname", "127.0.0.1:" + port, origin.url("/small"));
      assertThat(res.exitCode()).as(res.stderr()).isZero();
      assertThat(res.text()).isEqualTo("ok\n");
      Curl.Result viaHttp =
          Curl.run("--proxy", "http://127.0.0.1:" + port, origin.url("/bytes/300000"));
      assertThat(viaHttp.exitCode()).as(viaHttp.stderr()).isZero();
      assertThat(viaHttp.body()).isEqualTo(HttpOrigin.bytes(300000));
    } finally {
      u.shutdown(Duration.ofSeconds(1));
    }
  }

  /** Last: it kills a relay of the shared network. */
  @Test
  @Order(Integer.MAX_VALUE)
  void killingTheGuardFailsTheStreamAndTheNextRequestTakesAnotherPath() throws Exception {
    int n = 20 << 20;
    String guard;
    try (Conn c = client.connect("127.0.0.1", origin.port(), "victim")) {
      c.out()
          .write(
              ("GET /bytes/" + n + " HTTP/1.0\r\nHost: x\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      c.out().flush();
      byte[] buf = new byte[65536];
      int first = c.in().read(buf);
      assertThat(first).isPositive();
      guard = client.status().guard();
      String nickname =
          client.directory().relays().stream()
              .filter(r -> r.status().fingerprint().equals(guard))
              .findFirst()
              .orElseThrow()
              .status()
              .nickname();
      net.stopNode(nickname);
      c.setReadTimeout(30_000);
      long total = first;
      IOException failure = null;
      try {
        int k;
        while ((k = c.in().read(buf)) > 0) {
          total += k;
        }
      } catch (IOException e) {
        failure = e;
      }
      // Never a silent, truncated end of stream: the stream fails with an error.
      assertThat(failure).as("read %d of %d bytes", total, n).isNotNull();
      assertThat(total).isLessThan(n);
    }
    assertThat(get("/small", "after-kill")).isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(client.status().guard()).isNotEqualTo(guard);
  }

  private static byte[] get(String path, Object isolation) throws IOException {
    try (Conn c = client.connect("127.0.0.1", origin.port(), isolation)) {
      c.out()
          .write(
              ("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      c.out().flush();
      return body(readAll(c.in()));
    }
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    in.transferTo(o);
    return o.toByteArray();
  }

  static byte[] body(byte[] http) {
    String head = new String(http, 0, Math.min(http.length, 12), StandardCharsets.US_ASCII);
    assertThat(head).startsWith("HTTP/1.").contains("200");
    for (int i = 0; i + 3 < http.length; i++) {
      if (http[i] == '\r' && http[i + 1] == '\n' && http[i + 2] == '\r' && http[i + 3] == '\n') {
        return java.util.Arrays.copyOfRange(http, i + 4, http.length);
      }
    }
    throw new AssertionError("no HTTP header end in " + HexFormat.of().formatHex(http, 0, 16));
  }
}
