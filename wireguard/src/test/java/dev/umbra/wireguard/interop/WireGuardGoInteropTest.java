package dev.umbra.wireguard.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.netstack.Icmp4;
import dev.umbra.netstack.IpPackets;
import dev.umbra.netstack.NetStack;
import dev.umbra.netstack.UdpSocket;
import dev.umbra.testkit.NetnsPair;
import dev.umbra.wireguard.device.DeviceConfig;
import dev.umbra.wireguard.device.PeerConfig;
import dev.umbra.wireguard.device.WireGuardDevice;
import dev.umbra.wireguard.noise.StaticIdentity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 * Our device against Debian's wireguard-go: Umbra's UDP socket lives in namespace A, wireguard-go
 * and the kernel's IP stack in namespace B, joined by a veth pair. IP packets on our side go
 * through a minimal ICMP echo path (the test is the "TUN").
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WireGuardGoInteropTest {
  static final String OUR_IP = "10.202.0.1";
  static final String THEIR_IP = "10.202.0.2";
  static final int OUR_PORT = 51820;
  static final int THEIR_PORT = 51821;

  @TempDir static Path dir;
  static Netns ns;
  static String ifname;
  static WireGuardDevice device;
  static NetStack stack;
  static StaticIdentity ours;
  static StaticIdentity theirs;
  static final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

  @BeforeAll
  static void setUp() throws Exception {
    for (String bin : List.of("wireguard-go", "wg", "ip", "ping", "socat")) {
      assertThat(onPath(bin))
          .as(
              "%s must be installed (apt: wireguard-go wireguard-tools iproute2 iputils-ping socat)",
              bin)
          .isTrue();
    }
    ns = new Netns();
    ifname = "uwg" + ns.tag;
    ours = StaticIdentity.generate();
    theirs = StaticIdentity.generate();
    Path key = dir.resolve("b.key");
    Files.writeString(key, StaticIdentity.encodeKey(theirs.privateKey()) + "\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    startWireguardGo(ifname, theirs, THEIR_PORT, THEIR_IP, OUR_PORT, OUR_IP);

    DatagramChannel ch =
        ns.inA(() -> DatagramChannel.open().bind(new InetSocketAddress(Netns.UNDER_A, OUR_PORT)));
    PeerConfig peer =
        PeerConfig.of(
            theirs.publicKey(), new InetSocketAddress(Netns.UNDER_B, THEIR_PORT), THEIR_IP + "/32");
    stack =
        new NetStack(
            List.of(InetAddress.getByName(OUR_IP)), (p, off, len) -> device.send(p, off, len));
    device =
        WireGuardDevice.start(
            new DeviceConfig(ours, List.of(peer), 1420),
            ch,
            (p, off, len) -> {
              // echo replies to our own pings go to the test; everything else to the stack
              if (len >= 28
                  && p[off + 9] == IpPackets.PROTO_ICMP
                  && p[off + 20] == Icmp4.ECHO_REPLY) {
                received.add(Arrays.copyOfRange(p, off, off + len));
              } else {
                stack.input(p, off, len);
              }
            });
  }

  /** Starts wireguard-go as {@code ifn} in namespace B with one peer: us at {@code ourPort}. */
  static void startWireguardGo(
      String ifn, StaticIdentity id, int port, String overlay, int ourPort, String ourOverlay)
      throws Exception {
    Path key = dir.resolve(ifn + ".key");
    Files.writeString(key, StaticIdentity.encodeKey(id.privateKey()) + "\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    ns.startB(dir.resolve(ifn + ".log"), "wireguard-go", "-f", ifn);
    Path sock = Path.of("/var/run/wireguard", ifn + ".sock");
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
            ifn,
            "private-key",
            key.toString(),
            "listen-port",
            Integer.toString(port),
            "peer",
            StaticIdentity.encodeKey(ours.publicKey()),
            "endpoint",
            Netns.UNDER_A + ":" + ourPort,
            "allowed-ips",
            ourOverlay + "/32"));
    check(ns.execB(10, "ip", "addr", "add", overlay + "/24", "dev", ifn));
    check(ns.execB(10, "ip", "link", "set", "mtu", "1420", "up", "dev", ifn));
  }

  private static void check(NetnsPair.Result r) {
    assertThat(r.exit()).as(r.output()).isZero();
  }

  private static String log() throws java.io.IOException {
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
    if (device != null) {
      device.close();
    }
    if (ns != null) {
      ns.close();
      Files.deleteIfExists(Path.of("/var/run/wireguard", ifname + ".sock"));
      Files.deleteIfExists(Path.of("/var/run/wireguard", ifname + "c.sock"));
    }
  }

  @Test
  @Order(1)
  void weInitiateAndOurPingIsAnswered() throws Exception {
    byte[] payload = "umbra-ping".getBytes(StandardCharsets.US_ASCII);
    byte[] src = InetAddress.getByName(OUR_IP).getAddress();
    byte[] dst = InetAddress.getByName(THEIR_IP).getAddress();
    byte[] reply = null;
    for (int seq = 1; seq <= 10 && reply == null; seq++) {
      device.send(Icmp4.echo(Icmp4.ECHO_REQUEST, src, dst, 0x5555, seq, payload), 0, 48);
      byte[] p = received.poll(2, TimeUnit.SECONDS);
      if (p != null && p[9] == IpPackets.PROTO_ICMP && p[20] == Icmp4.ECHO_REPLY) {
        reply = p;
      }
    }
    assertThat(reply)
        .as("echo reply from the kernel behind wireguard-go; log: %s", log())
        .isNotNull();
    assertThat(Arrays.copyOfRange(reply, 12, 16)).isEqualTo(dst);
    assertThat(Arrays.copyOfRange(reply, 28, reply.length)).isEqualTo(payload);
    assertThat(device.peers().getFirst().hasHandshake()).isTrue();
  }

  @Test
  @Order(2)
  void wireguardGoPingsUs() throws Exception {
    NetnsPair.Result r = ns.execB(30, "ping", "-c", "5", "-i", "0.2", "-W", "2", OUR_IP);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("5 received");
  }

  @Test
  @Order(3)
  void wireguardGoReportsTheHandshakeAndTraffic() throws Exception {
    NetnsPair.Result r = ns.execB(10, "wg", "show", ifname, "latest-handshakes");
    assertThat(r.exit()).isZero();
    String[] fields = r.output().trim().split("\\s+");
    assertThat(fields[0]).isEqualTo(StaticIdentity.encodeKey(ours.publicKey()));
    assertThat(Long.parseLong(fields[1])).isPositive();
    NetnsPair.Result t = ns.execB(10, "wg", "show", ifname, "transfer");
    String[] tf = t.output().trim().split("\\s+");
    assertThat(Long.parseLong(tf[1])).as("bytes wireguard-go received").isPositive();
    assertThat(Long.parseLong(tf[2])).as("bytes wireguard-go sent").isPositive();
  }

  @Test
  @Order(4)
  void largeIcmpPacketsCrossTheTunnel() throws Exception {
    // 1392-byte ICMP payload: a 1420-byte inner packet, padded to the MTU
    NetnsPair.Result r =
        ns.execB(30, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-s", "1392", "-M", "do", OUR_IP);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("3 received");
  }

  @Test
  @Order(5)
  void wireguardGoAnswersOurCookieReplyAndRetriesWithMac2() throws Exception {
    // a second device that treats every handshake as load, and a second wireguard-go facing it
    String ifc = ifname + "c";
    DatagramChannel ch =
        ns.inA(() -> DatagramChannel.open().bind(new InetSocketAddress(Netns.UNDER_A, 51822)));
    StaticIdentity peerId = StaticIdentity.generate();
    PeerConfig peer = PeerConfig.of(peerId.publicKey(), null, "10.203.0.2/32");
    WireGuardDevice[] loaded = new WireGuardDevice[1];
    loaded[0] =
        WireGuardDevice.start(
            new DeviceConfig(ours, List.of(peer), 1420, 0, System::nanoTime),
            ch,
            (p, off, len) -> {
              byte[] reply = Icmp4.replyTo(p, off, len);
              if (reply != null) {
                try {
                  loaded[0].send(reply, 0, reply.length);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              }
            });
    try {
      startWireguardGo(ifc, peerId, 51823, "10.203.0.2", 51822, "10.203.0.1");
      // wireguard-go's first initiation gets a cookie reply; its retry 5 s later carries mac2
      NetnsPair.Result r = ns.execB(40, "ping", "-c", "1", "-W", "20", "10.203.0.1");
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(loaded[0].peers().getFirst().hasHandshake()).isTrue();
      assertThat(loaded[0].cookieRepliesSent()).isPositive();
    } finally {
      loaded[0].close();
    }
  }

  @Test
  @Order(6)
  void udpBothWaysBetweenOurStackAndTheKernelBehindWireguardGo() throws Exception {
    UdpSocket sock = stack.openUdp(InetAddress.getByName(OUR_IP), 7000);
    sock.setReadTimeout(15_000);
    Thread echo =
        Thread.ofVirtual()
            .start(() -> {
              try {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(2048);
                var from = sock.receive(buf);
                String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
                sock.send(
                    java.nio.ByteBuffer.wrap(
                        text.toUpperCase(java.util.Locale.ROOT)
                            .getBytes(StandardCharsets.US_ASCII)),
                    from);
              } catch (java.io.IOException e) {
                received.add(new byte[0]);
              }
            });
    NetnsPair.Result r =
        ns.execB(
            20, "sh", "-c", "echo hello-udp | timeout 10 socat -T 3 - UDP:" + OUR_IP + ":7000");
    echo.join(20_000);
    sock.close();
    assertThat(r.output()).as("socat exit %d", r.exit()).contains("HELLO-UDP");
  }
}
