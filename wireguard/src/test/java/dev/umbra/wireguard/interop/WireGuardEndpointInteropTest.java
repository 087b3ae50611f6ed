package dev.umbra.wireguard.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.DatagramPacketConn;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.NetnsPair;
import dev.umbra.testkit.UdpEcho;
import dev.umbra.wireguard.noise.StaticIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running Umbra with a {@code wireguard} endpoint against Debian's wireguard-go. Umbra runs in
 * this JVM on the host's loopback (mixed and direct inbounds, a direct outbound, an HTTP origin and
 * a UDP echo); only the endpoint's outer UDP socket lives in namespace A, through the endpoint's
 * {@code detour} to a test outbound that opens it there. wireguard-go, the kernel behind it, curl,
 * socat and an HTTP server are in namespace B, across a veth pair.
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WireGuardEndpointInteropTest {
  static final String OUR_IP = "10.204.0.1";
  static final String THEIR_IP = "10.204.0.2";
  static final String OUR_IP6 = "fd00:204::1";
  static final String THEIR_IP6 = "fd00:204::2";
  static final int OUR_PORT = 51830;
  static final int THEIR_PORT = 51831;
  static final int HTTP_PORT = 8080;
  static final int UDP_ECHO_PORT = 7000;
  static final int BIG = 100 << 20;

  @TempDir static Path dir;
  static Netns ns;
  static String ifname;
  static StaticIdentity ours;
  static StaticIdentity theirs;
  static Umbra umbra;
  static int mixedPort;
  static int udpInPort;
  static HttpOrigin origin;
  static UdpEcho hostUdpEcho;
  static HttpServer serverInB;
  static DatagramSocket udpEchoInB;

  /** Test outbound whose UDP socket is opened in namespace A (the endpoint's detour). */
  record NetnsUdpOptions() {}

  static final class NetnsUdp implements Outbound {
    private final String tag;

    NetnsUdp(String tag) {
      this.tag = tag;
    }

    @Override
    public String type() {
      return "netns-udp";
    }

    @Override
    public String tag() {
      return tag;
    }

    @Override
    public Set<Network> networks() {
      return Set.of(Network.UDP);
    }

    @Override
    public Conn dial(Metadata metadata) throws IOException {
      throw new IOException("UDP only");
    }

    @Override
    public PacketConn listenPacket(Metadata metadata) throws IOException {
      try {
        return ns.inA(() ->
            new DatagramPacketConn(
                new DatagramSocket(new InetSocketAddress(Netns.UNDER_A, OUR_PORT))));
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
  }

  @BeforeAll
  static void setUp() throws Exception {
    for (String bin : List.of("wireguard-go", "wg", "ip", "ping", "socat", "curl")) {
      assertThat(onPath(bin))
          .as(
              "%s must be installed (apt: wireguard-go wireguard-tools iproute2 iputils-ping socat"
                  + " curl)",
              bin)
          .isTrue();
    }
    ns = new Netns();
    ifname = "uwe" + ns.tag;
    ours = StaticIdentity.generate();
    theirs = StaticIdentity.generate();
    startWireguardGo();

    // services on the wireguard-go side, bound in namespace B
    serverInB = ns.inB(() -> HttpServer.create(new InetSocketAddress(THEIR_IP, HTTP_PORT), 64));
    serverInB.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    serverInB.createContext(
        "/bytes/",
        ex -> {
          int n = Integer.parseInt(ex.getRequestURI().getPath().substring("/bytes/".length()));
          ex.sendResponseHeaders(200, n);
          try (OutputStream o = ex.getResponseBody()) {
            writePattern(o, n);
          }
        });
    serverInB.start();
    udpEchoInB = ns.inB(() -> new DatagramSocket(new InetSocketAddress(THEIR_IP, UDP_ECHO_PORT)));
    Thread.ofVirtual()
        .start(() -> {
          byte[] buf = new byte[2048];
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          while (!udpEchoInB.isClosed()) {
            try {
              p.setLength(buf.length);
              udpEchoInB.receive(p);
              String s = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
              byte[] up = s.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8);
              udpEchoInB.send(new DatagramPacket(up, up.length, p.getSocketAddress()));
            } catch (IOException e) {
              return;
            }
          }
        });

    // services on the host behind Umbra's direct outbound
    origin = new HttpOrigin();
    hostUdpEcho = new UdpEcho();

    mixedPort = FreePort.tcp();
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      udpInPort = probe.getLocalPort();
    }
    String json =
        """
        {"log": {"level": "warn"},
         "endpoints": [{"type": "wireguard", "tag": "wg-ep", "address": ["%s/32", "%s/128"],
           "private_key": "%s", "mtu": 1420, "detour": "ns-a",
           "peers": [{"address": "%s", "port": %d, "public_key": "%s",
                      "allowed_ips": ["%s/32", "%s/128"], "persistent_keepalive_interval": 25}]}],
         "inbounds": [
           {"type": "mixed", "tag": "mixed-in", "listen": "127.0.0.1", "listen_port": %d},
           {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
            "network": "udp", "override_address": "%s", "override_port": %d}],
         "outbounds": [{"type": "direct", "tag": "direct"}, {"type": "netns-udp", "tag": "ns-a"}],
         "route": {"rules": [{"inbound": ["mixed-in", "udp-in"], "outbound": "wg-ep"}],
                   "final": "direct"}}
        """
            .formatted(
                OUR_IP,
                OUR_IP6,
                StaticIdentity.encodeKey(ours.privateKey()),
                Netns.UNDER_B,
                THEIR_PORT,
                StaticIdentity.encodeKey(theirs.publicKey()),
                THEIR_IP,
                THEIR_IP6,
                mixedPort,
                udpInPort,
                THEIR_IP,
                UDP_ECHO_PORT);
    Registry r = Registry.loadAll();
    r.outbound("netns-udp", NetnsUdpOptions.class, (c, tag, o) -> new NetnsUdp(tag));
    umbra = Umbra.start(ConfigLoader.load(Jsonc.parse(json, "test"), r), r);
  }

  /** The deterministic body of /bytes/N: byte i is (i * 31 + 7) mod 251. */
  static void writePattern(OutputStream o, long n) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    long written = 0;
    while (written < n) {
      int len = (int) Math.min(chunk.length, n - written);
      for (int i = 0; i < len; i++) {
        chunk[i] = (byte) (((written + i) * 31 + 7) % 251);
      }
      o.write(chunk, 0, len);
      written += len;
    }
  }

  static void startWireguardGo() throws Exception {
    Path key = dir.resolve(ifname + ".key");
    Files.writeString(key, StaticIdentity.encodeKey(theirs.privateKey()) + "\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    ns.startB(dir.resolve(ifname + ".log"), "wireguard-go", "-f", ifname);
    Path sock = Path.of("/var/run/wireguard", ifname + ".sock");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(sock) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(sock).as("wireguard-go UAPI socket; log: %s", log()).exists();
    check(
        ns.execB(
            10,
            "wg",
            "set",
            ifname,
            "private-key",
            key.toString(),
            "listen-port",
            Integer.toString(THEIR_PORT),
            "peer",
            StaticIdentity.encodeKey(ours.publicKey()),
            "endpoint",
            Netns.UNDER_A + ":" + OUR_PORT,
            "allowed-ips",
            OUR_IP + "/32," + OUR_IP6 + "/128"));
    check(ns.execB(10, "ip", "addr", "add", THEIR_IP + "/24", "dev", ifname));
    check(ns.execB(10, "ip", "-6", "addr", "add", THEIR_IP6 + "/64", "dev", ifname, "nodad"));
    check(ns.execB(10, "ip", "link", "set", "mtu", "1420", "up", "dev", ifname));
  }

  private static void check(NetnsPair.Result r) {
    assertThat(r.exit()).as(r.output()).isZero();
  }

  private static String log() throws IOException {
    Path p = dir.resolve(ifname + ".log");
    return Files.exists(p) ? Files.readString(p) : "(no log)";
  }

  private static boolean onPath(String bin) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, bin))) {
        return true;
      }
    }
    return false;
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (umbra != null) {
      umbra.shutdown(Duration.ofSeconds(1));
    }
    if (serverInB != null) {
      serverInB.stop(0);
    }
    if (udpEchoInB != null) {
      udpEchoInB.close();
    }
    if (origin != null) {
      origin.close();
    }
    if (hostUdpEcho != null) {
      hostUdpEcho.close();
    }
    if (ns != null) {
      ns.close();
      Files.deleteIfExists(Path.of("/var/run/wireguard", ifname + ".sock"));
    }
  }

  private static Socket viaMixed(String host, int port) throws IOException {
    Socket s =
        new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", mixedPort)));
    s.setSoTimeout(30_000);
    s.connect(new InetSocketAddress(host, port), 30_000);
    return s;
  }

  @Test
  @Order(1)
  void handshakeAndWireguardGoPingsTheEndpoint() throws Exception {
    // the persistent keepalive makes Umbra initiate as soon as it starts
    NetnsPair.Result r = ns.execB(30, "ping", "-c", "5", "-i", "0.2", "-W", "3", OUR_IP);
    assertThat(r.exit()).as("%s\nwireguard-go log: %s", r.output(), log()).isZero();
    assertThat(r.output()).contains("5 received");
    NetnsPair.Result hs = ns.execB(10, "wg", "show", ifname, "latest-handshakes");
    String[] fields = hs.output().trim().split("\\s+");
    assertThat(fields[0]).isEqualTo(StaticIdentity.encodeKey(ours.publicKey()));
    assertThat(Long.parseLong(fields[1])).isPositive();
  }

  @Test
  @Order(2)
  void wireguardGoPingsTheEndpointOverIpv6() throws Exception {
    NetnsPair.Result r = ns.execB(30, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "3", OUR_IP6);
    assertThat(r.exit()).as("%s\nwireguard-go log: %s", r.output(), log()).isZero();
    assertThat(r.output()).contains("3 received");
  }

  @Test
  @Order(2)
  void curlOnTheWireguardGoSideReachesAHostServiceThroughTheEndpointInbound() throws Exception {
    // 10.204.0.1 is the endpoint's own address: routed to loopback, then route.final = direct
    NetnsPair.Result r =
        ns.execB(
            30,
            "curl",
            "-sS",
            "--max-time",
            "20",
            "http://" + OUR_IP + ":" + origin.port() + "/small");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).isEqualTo("ok\n");
  }

  @Test
  @Order(3)
  void curlThroughTheMixedInboundAndTheEndpointReachesTheWireguardGoSide() throws Exception {
    Curl.Result r =
        Curl.run(
            "--socks5-hostname",
            "127.0.0.1:" + mixedPort,
            "--max-time",
            "20",
            "http://" + THEIR_IP + ":" + HTTP_PORT + "/bytes/100000");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
    writePattern(want, 100000);
    assertThat(r.body()).isEqualTo(want.toByteArray());
  }

  @Test
  @Order(4)
  void udpFromTheWireguardGoSideThroughTheEndpointToAHostEcho() throws Exception {
    NetnsPair.Result r =
        ns.execB(
            20,
            "sh",
            "-c",
            "echo hello-udp | timeout 10 socat -T 3 - UDP:" + OUR_IP + ":" + hostUdpEcho.port());
    assertThat(r.output()).as("socat exit %d", r.exit()).contains("hello-udp");
  }

  @Test
  @Order(5)
  void udpThroughTheEndpointToTheWireguardGoSide() throws Exception {
    try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      client.setSoTimeout(2000);
      String got = null;
      for (int i = 0; i < 5 && got == null; i++) {
        byte[] b = "to-the-far-side".getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), udpInPort));
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        try {
          client.receive(p);
          got = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        } catch (java.net.SocketTimeoutException e) {
          // retry
        }
      }
      assertThat(got).isEqualTo("TO-THE-FAR-SIDE");
    }
  }

  @Test
  @Order(6)
  void hundredMebibytesFromTheWireguardGoSideMatchBySha256() throws Exception {
    MessageDigest want = MessageDigest.getInstance("SHA-256");
    writePattern(
        new OutputStream() {
          @Override
          public void write(int b) {
            want.update((byte) b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            want.update(b, off, len);
          }
        },
        BIG);
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    long total = 0;
    try (Socket s = viaMixed(THEIR_IP, HTTP_PORT)) {
      s.getOutputStream()
          .write(
              ("GET /bytes/" + BIG + " HTTP/1.0\r\nHost: x\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      // skip the response head
      int state = 0;
      while (state < 4) {
        int c = in.read();
        assertThat(c).as("response head").isNotNegative();
        state =
            switch (state) {
              case 0, 2 -> c == '\r' ? state + 1 : 0;
              case 1, 3 -> c == '\n' ? state + 1 : 0;
              default -> 0;
            };
      }
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        got.update(buf, 0, n);
        total += n;
      }
    }
    assertThat(total).isEqualTo(BIG);
    assertThat(HexFormat.of().formatHex(got.digest()))
        .isEqualTo(HexFormat.of().formatHex(want.digest()));
  }
}
