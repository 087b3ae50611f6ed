package dev.umbra.tor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Conn;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.tor.TorTestNetwork;
import dev.umbra.tor.circuit.Circuit;
import dev.umbra.tor.circuit.ConfluxSet;
import dev.umbra.tor.circuit.HopSpec;
import dev.umbra.tor.circuit.Protocols;
import dev.umbra.tor.circuit.TorStream;
import dev.umbra.tor.client.DirAuthority;
import dev.umbra.tor.client.TorClient;
import dev.umbra.tor.client.TorConfig;
import dev.umbra.tor.dir.Relay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * Conflux (prop 329) against C tor 0.4.9 exits on testkit's private network (one network for the
 * class): the consensus leaves {@code cfx_enabled} at its default 1 and the exits list Conflux=1,
 * so exit streams run on linked sets of two circuits to one exit with distinct guards and middles.
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfluxInteropTest {
  static TorTestNetwork net;
  static HttpOrigin origin;
  static TorClient client;
  static final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    net = TorTestNetwork.start(TorTestNetwork.Options.defaults());
    List<DirAuthority> auths = net.dirAuthorityLines().stream().map(DirAuthority::parse).toList();
    client =
        new TorClient(
            TorConfig.testing(auths, Files.createTempDirectory("umbra-conflux")), events::add);
    client.bootstrap(Duration.ofSeconds(60));
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
  @Order(1)
  void consensusEnablesConfluxAndExitsSpeakIt() {
    var consensus = client.directory().consensus();
    assertThat(consensus.param("cfx_enabled", 1, 0, 1)).isEqualTo(1);
    assertThat(consensus.param("cc_alg", 0, 0, 3)).isEqualTo(2);
    List<Relay> exits = client.directory().relays().stream().filter(r -> r.exitsTo(80)).toList();
    assertThat(exits).hasSize(3);
    for (Relay r : exits) {
      assertThat(Protocols.supports(r.status().protocols(), "Conflux", 1)).isTrue();
      assertThat(Protocols.supports(r.status().protocols(), "FlowCtrl", 2)).isTrue();
    }
  }

  @Test
  @Order(2)
  void downloadIsSplitOverTwoLegsAndIntact() throws Exception {
    int n = 30 << 20;
    ConfluxSet set;
    byte[] body;
    try (Conn c = client.connect("127.0.0.1", origin.port(), "big")) {
      set = ((TorStream) c).conflux();
      assertThat(set).as("stream on a conflux set").isNotNull();
      request(c, "/bytes/" + n);
      body = body(readAll(c.in()));
    }
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertThat(body).hasSize(n);
    assertThat(sha.digest(body)).isEqualTo(sha.digest(HttpOrigin.bytes(n)));
    assertThat(events).anyMatch(e -> e.startsWith("conflux set linked to "));

    // Two legs to one exit, sharing neither guard nor middle, and both carried the download.
    List<Circuit> legs = set.circuits();
    assertThat(legs).hasSize(2);
    List<HopSpec> a = legs.get(0).path();
    List<HopSpec> b = legs.get(1).path();
    assertThat(a.get(2).target().rsaId()).isEqualTo(b.get(2).target().rsaId());
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        assertThat(a.get(i).target().rsaId()).isNotEqualTo(b.get(j).target().rsaId());
      }
    }
    Map<Circuit, long[]> cells = set.cellsPerLeg();
    long total = 0;
    for (Circuit leg : legs) {
      long received = cells.get(leg)[1];
      assertThat(received).as("cells the exit sent on leg %s (%s)", leg, set.stats()).isPositive();
      total += received;
    }
    // every DATA cell, CONNECTED and END took a place in the sequence
    assertThat(total).isGreaterThan(n / 498);
    for (Circuit leg : legs) {
      assertThat(leg.congestionControlled()).isTrue();
    }
  }

  @Test
  @Order(3)
  void uploadThroughTheSetIsEchoedIntact() throws Exception {
    byte[] payload = HttpOrigin.bytes(2 << 20);
    try (Conn c = client.connect("127.0.0.1", origin.port(), "upload")) {
      assertThat(((TorStream) c).conflux()).isNotNull();
      c.out()
          .write(
              ("POST /echo HTTP/1.0\r\nHost: x\r\nContent-Length: " + payload.length + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      Future<byte[]> reader =
          Executors.newVirtualThreadPerTaskExecutor().submit(() -> readAll(c.in()));
      c.out().write(payload);
      c.out().flush();
      assertThat(body(reader.get(120, TimeUnit.SECONDS))).isEqualTo(payload);
    }
  }

  @Test
  @Order(4)
  void streamsOfOneIsolationShareTheSet() throws Exception {
    ConfluxSet first;
    try (Conn c = client.connect("127.0.0.1", origin.port(), "shared")) {
      first = ((TorStream) c).conflux();
      request(c, "/small");
      assertThat(body(readAll(c.in()))).isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
    }
    try (Conn c = client.connect("127.0.0.1", origin.port(), "shared")) {
      assertThat(((TorStream) c).conflux()).isSameAs(first);
      request(c, "/bytes/100000");
      assertThat(body(readAll(c.in()))).isEqualTo(HttpOrigin.bytes(100000));
    }
  }

  /**
   * Last: it kills a relay. The guard of the leg we are not sending on dies mid-download. As in C
   * tor (no retransmission), the set survives only if that leg had nothing in flight and did not
   * carry the latest cells; otherwise the stream fails with an error. Either way no byte is wrong
   * or missing before the end, and the next request works.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void killingOneLegsGuardMidTransfer() throws Exception {
    int n = 20 << 20;
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    IOException failure = null;
    ConfluxSet set;
    try (Conn c = client.connect("127.0.0.1", origin.port(), "victim")) {
      set = ((TorStream) c).conflux();
      assertThat(set).isNotNull();
      request(c, "/bytes/" + n);
      InputStream in = c.in();
      byte[] buf = new byte[65536];
      int k = in.read(buf);
      assertThat(k).isPositive();
      got.write(buf, 0, k);
      Circuit sending = set.sendingLeg();
      Circuit other = set.circuits().stream().filter(l -> l != sending).findFirst().orElseThrow();
      net.stopNode(nickname(other.path().getFirst()));
      c.setReadTimeout(30_000);
      try {
        while ((k = in.read(buf)) > 0) {
          got.write(buf, 0, k);
        }
      } catch (IOException e) {
        failure = e;
      }
    }
    byte[] received = body(got.toByteArray());
    byte[] expected = HttpOrigin.bytes(n);
    // what arrived is exactly the start of the file: reordering never delivered a wrong byte
    assertThat(Arrays.equals(received, 0, received.length, expected, 0, received.length)).isTrue();
    if (failure == null) {
      // the set continued on the remaining leg and the download completed
      assertThat(received).hasSize(n);
      assertThat(set.legCount()).isEqualTo(1);
    } else {
      // torn down as C tor would: an error, never a silent truncated end of stream
      assertThat(received.length).isLessThan(n);
      assertThat(set.isOpen()).isFalse();
    }
    try (Conn c = client.connect("127.0.0.1", origin.port(), "after-kill")) {
      request(c, "/small");
      assertThat(body(readAll(c.in()))).isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static String nickname(HopSpec hop) {
    String fp = HexFormat.of().withUpperCase().formatHex(hop.target().rsaId());
    return client.directory().relays().stream()
        .filter(r -> r.status().fingerprint().equals(fp))
        .findFirst()
        .orElseThrow()
        .status()
        .nickname();
  }

  private static void request(Conn c, String path) throws IOException {
    c.out()
        .write(
            ("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    c.out().flush();
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return TorClientInteropTest.readAll(in);
  }

  private static byte[] body(byte[] http) {
    return TorClientInteropTest.body(http);
  }
}
