package dev.umbra.wireguard.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.dial.DefaultDialer;
import dev.umbra.core.dial.SystemResolver;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.registry.Registry;
import dev.umbra.netstack.UdpSocket;
import dev.umbra.testkit.UdpEcho;
import dev.umbra.wireguard.noise.StaticIdentity;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The endpoint against a plain device + netstack peer on 127.0.0.1: options, outbound UDP through
 * the tunnel, inbound UDP flows to any address reaching the router with the right metadata, and the
 * endpoint inside a running Umbra (route to its tag, inbound to {@code direct}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireGuardEndpointTest {
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeables.add(c);
    return c;
  }

  // ------------------------------------------------------------------ options

  private static String endpointJson(String extra, String peerExtra) {
    String key = StaticIdentity.encodeKey(StaticIdentity.generate().privateKey());
    String peer = StaticIdentity.encodeKey(StaticIdentity.generate().publicKey());
    return """
    {"endpoints": [{"type": "wireguard", "tag": "wg-ep", "address": "10.0.0.1/32",
      "private_key": "%s" %s,
      "peers": [{"address": "127.0.0.1", "port": 51820, "public_key": "%s",
                 "allowed_ips": ["10.0.0.0/24"] %s}]}]}
    """
        .formatted(key, extra, peer, peerExtra);
  }

  private static void load(String json) {
    ConfigLoader.load(Jsonc.parse(json, "test"), Registry.loadAll());
  }

  private static String error(String json) {
    try {
      load(json);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("config was accepted: " + json);
  }

  @Test
  void acceptsEverySingBoxField() {
    load(
        endpointJson(
            ", \"system\": false, \"name\": \"wg0\", \"mtu\": 1408, \"listen_port\": 10000,"
                + " \"udp_timeout\": \"5m\", \"workers\": 2, \"connect_timeout\": \"5s\"",
            ", \"pre_shared_key\": \""
                + StaticIdentity.encodeKey(new byte[32])
                + "\", \"persistent_keepalive_interval\": 25, \"reserved\": [1, 2, 3]"));
    load(endpointJson("", ", \"reserved\": \"AQID\""));
  }

  @Test
  void rejectsWhatItCannotDoWithTheJsonPath() {
    assertThat(error(endpointJson(", \"system\": true", "")))
        .contains("endpoints[0].system")
        .contains("not supported");
    assertThat(error(endpointJson(", \"frobnicate\": 1", ""))).contains("frobnicate");
    assertThat(error(endpointJson("", ", \"frobnicate\": 1")))
        .contains("endpoints[0].peers[0]")
        .contains("frobnicate");
    assertThat(error(endpointJson("", ", \"reserved\": [1, 2]")))
        .contains("endpoints[0].peers[0].reserved");
    assertThat(error(endpointJson(", \"listen_port\": 1, \"detour\": \"x\"", "")))
        .contains("endpoints[0]");
    assertThat(error(endpointJson(", \"bind_interface\": \"eth0\"", "")))
        .contains("endpoints[0].bind_interface");
    assertThat(error(endpointJson("", "").replace("10.0.0.1/32", "nonsense")))
        .contains("endpoints[0].address[0]");
    assertThat(
            error(
                endpointJson("", "")
                    .replace(
                        "\"allowed_ips\": [\"10.0.0.0/24\"]",
                        "\"persistent_keepalive_interval\": 1")))
        .contains("endpoints[0].peers[0]");
    assertThat(error(endpointJson("", "").replaceFirst("(\"public_key\": \")[^\"]+", "$1short")))
        .contains("endpoints[0].peers[0]");
  }

  // ------------------------------------------------------------------ endpoint with a test router

  /** A router that records what it is given and echoes datagrams back to where they came from. */
  private static final class EchoRouter implements Router {
    final BlockingQueue<Metadata> seen = new LinkedBlockingQueue<>();

    @Override
    public void routeConnection(Conn conn, Metadata metadata, Handshake handshake) {
      seen.add(metadata);
      try (conn) {
        handshake.succeed();
        conn.in().transferTo(conn.out());
        conn.shutdownOutput();
      } catch (IOException e) {
        // the test sees a short echo
      }
    }

    @Override
    public void routePackets(PacketConn conn, Metadata metadata, Handshake handshake) {
      seen.add(metadata);
      try (conn) {
        conn.setReadTimeout(10_000);
        ByteBuffer buf = ByteBuffer.allocate(2048);
        while (true) {
          buf.clear();
          Destination to = conn.receive(buf);
          buf.flip();
          conn.send(buf, to);
        }
      } catch (IOException e) {
        // timed out or closed
      }
    }
  }

  private static AdapterContext context(Router router) {
    return new AdapterContext() {
      @Override
      public Router router() {
        return router;
      }

      @Override
      public OutboundManager outbounds() {
        return null;
      }

      @Override
      public Dialer dialer(DialOptions options) {
        return new DefaultDialer(options, null, SystemResolver.INSTANCE);
      }

      @Override
      public Resolver resolver() {
        return SystemResolver.INSTANCE;
      }
    };
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  /** An endpoint peering with {@code peer}; with a listen port the peer can call it first. */
  private WireGuardEndpoint endpoint(Router router, TunnelPeer peer, Integer listenPort)
      throws IOException {
    StaticIdentity id = StaticIdentity.generate();
    var options =
        new WireGuardEndpointOptions(
            null,
            null,
            null,
            List.of("10.0.0.1/32", "fd00::1/128"),
            StaticIdentity.encodeKey(id.privateKey()),
            listenPort,
            List.of(
                new WireGuardPeerOptions(
                    "127.0.0.1",
                    peer.port(),
                    peer.publicKey(),
                    null,
                    List.of("10.0.0.0/24"),
                    null,
                    null)),
            null,
            null,
            DialOptions.DEFAULT);
    WireGuardEndpoint ep = closing(new WireGuardEndpoint("wg-in", options, context(router)));
    for (StartStage s : StartStage.values()) {
      ep.start(s);
    }
    peer.start(
        id.publicKey(),
        listenPort == null ? null : new InetSocketAddress("127.0.0.1", listenPort),
        "10.0.0.0/24");
    return ep;
  }

  private static String exchange(PacketConn conn, Destination to, String text) throws IOException {
    conn.setReadTimeout(1000);
    ByteBuffer buf = ByteBuffer.allocate(2048);
    for (int attempt = 0; attempt < 10; attempt++) {
      conn.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), to);
      buf.clear();
      try {
        Destination from = conn.receive(buf);
        return from + " " + new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
      } catch (java.net.SocketTimeoutException e) {
        // the first datagram waits for the handshake; retry
      }
    }
    return null;
  }

  @Test
  void outboundUdpGoesThroughTheTunnelToThePeersStack() throws Exception {
    TunnelPeer peer = closing(new TunnelPeer("10.0.0.2"));
    WireGuardEndpoint ep = endpoint(new EchoRouter(), peer, null);
    closing(peer.upperCaseEcho(7000, 20));
    Destination target = Destination.parse("10.0.0.2:7000");
    try (PacketConn c = ep.listenPacket(Metadata.internal(Network.UDP, target))) {
      assertThat(exchange(c, target, "hello")).isEqualTo("10.0.0.2:7000 HELLO");
    }
    assertThat(ep.device().peers().getFirst().hasHandshake()).isTrue();
  }

  @Test
  void severalPeersAreChosenByAllowedIps() throws Exception {
    TunnelPeer one = closing(new TunnelPeer("10.0.0.2"));
    TunnelPeer two = closing(new TunnelPeer("10.0.1.2"));
    StaticIdentity id = StaticIdentity.generate();
    var options =
        new WireGuardEndpointOptions(
            null,
            null,
            null,
            List.of("10.0.0.1/32"),
            StaticIdentity.encodeKey(id.privateKey()),
            null,
            List.of(
                new WireGuardPeerOptions(
                    "127.0.0.1",
                    one.port(),
                    one.publicKey(),
                    null,
                    List.of("10.0.0.0/16"),
                    null,
                    null),
                new WireGuardPeerOptions(
                    "127.0.0.1",
                    two.port(),
                    two.publicKey(),
                    null,
                    List.of("10.0.1.0/24"),
                    null,
                    null)),
            null,
            null,
            DialOptions.DEFAULT);
    WireGuardEndpoint ep = closing(new WireGuardEndpoint("wg", options, context(new EchoRouter())));
    for (StartStage s : StartStage.values()) {
      ep.start(s);
    }
    one.start(id.publicKey(), null, "10.0.0.1/32");
    two.start(id.publicKey(), null, "10.0.0.1/32");
    closing(one.upperCaseEcho(7000, 20));
    closing(two.upperCaseEcho(7000, 20));
    // 10.0.1.2 is inside both prefixes: the longer one (peer two) wins
    for (TunnelPeer p : List.of(one, two)) {
      Destination target = new Destination.Ip(p.ip, 7000);
      try (PacketConn c = ep.listenPacket(Metadata.internal(Network.UDP, target))) {
        assertThat(exchange(c, target, "which")).isEqualTo(target + " WHICH");
      }
    }
    assertThat(ep.device().peers()).allMatch(p -> p.hasHandshake());
  }

  @Test
  void inboundUdpToAnyAddressReachesTheRouterWithTheOriginalDestination() throws Exception {
    TunnelPeer peer = closing(new TunnelPeer("10.0.0.2"));
    EchoRouter router = new EchoRouter();
    endpoint(router, peer, freeUdpPort());
    UdpSocket s = closing(peer.stack.openUdp(peer.ip, 4000));
    Destination elsewhere = Destination.parse("10.0.0.77:9999");
    assertThat(exchange(s, elsewhere, "ping")).isEqualTo("10.0.0.77:9999 ping");
    Metadata m = router.seen.poll(5, TimeUnit.SECONDS);
    assertThat(m).isNotNull();
    assertThat(m.inbound()).isEqualTo("wg-in");
    assertThat(m.inboundType()).isEqualTo("wireguard");
    assertThat(m.network()).isEqualTo(Network.UDP);
    assertThat(m.source()).isEqualTo(new InetSocketAddress("10.0.0.2", 4000));
    assertThat(m.destination()).isEqualTo(elsewhere);
    // the endpoint's own address is routed to loopback (as sing-box does); replies still come
    // from the address the peer used (a new sender: flows are per sender)
    UdpSocket s2 = closing(peer.stack.openUdp(peer.ip, 4002));
    Destination own = Destination.parse("10.0.0.1:53");
    assertThat(exchange(s2, own, "dns?")).isEqualTo("10.0.0.1:53 dns?");
    Metadata m2 = router.seen.poll(5, TimeUnit.SECONDS);
    assertThat(m2.destination()).isEqualTo(Destination.parse("127.0.0.1:53"));
  }

  private static byte[] roundTrip(Conn c, byte[] data) throws Exception {
    c.setReadTimeout(45_000);
    Thread writer =
        Thread.ofVirtual()
            .start(() -> {
              try {
                c.out().write(data);
                c.out().flush();
                c.shutdownOutput();
              } catch (IOException e) {
                // the read below comes up short
              }
            });
    byte[] back = c.in().readAllBytes();
    writer.join(45_000);
    return back;
  }

  @Test
  void outboundTcpGoesThroughTheTunnel() throws Exception {
    TunnelPeer peer = closing(new TunnelPeer("10.0.0.2"));
    WireGuardEndpoint ep = endpoint(new EchoRouter(), peer, null);
    peer.tcpEcho(8000);
    byte[] data = dev.umbra.testkit.HttpOrigin.bytes(1 << 20);
    try (Conn c = ep.dial(Metadata.internal(Network.TCP, Destination.parse("10.0.0.2:8000")))) {
      assertThat(sha256(roundTrip(c, data))).isEqualTo(sha256(data));
    }
  }

  @Test
  void inboundTcpToAnyAddressReachesTheRouterWithTheOriginalDestination() throws Exception {
    TunnelPeer peer = closing(new TunnelPeer("10.0.0.2"));
    EchoRouter router = new EchoRouter();
    endpoint(router, peer, freeUdpPort());
    byte[] data = "hello over tcp".getBytes(StandardCharsets.UTF_8);
    try (Conn c =
        peer.stack.dialTcp(
            new InetSocketAddress("10.0.0.99", 9000), java.time.Duration.ofSeconds(10))) {
      assertThat(roundTrip(c, data)).isEqualTo(data);
    }
    Metadata m = router.seen.poll(5, TimeUnit.SECONDS);
    assertThat(m.inbound()).isEqualTo("wg-in");
    assertThat(m.network()).isEqualTo(Network.TCP);
    assertThat(m.source().getAddress()).isEqualTo(peer.ip);
    assertThat(m.destination()).isEqualTo(Destination.parse("10.0.0.99:9000"));
  }

  private static String sha256(byte[] b) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
  }

  // ------------------------------------------------------------------ inside a running Umbra

  @Test
  void routedToTheEndpointTagAndFromTheEndpointToDirect() throws Exception {
    TunnelPeer peer = closing(new TunnelPeer("10.0.0.2"));
    UdpEcho echo = closing(new UdpEcho());
    StaticIdentity id = StaticIdentity.generate();
    int listen = freeUdpPort();
    int mixed = dev.umbra.testkit.FreePort.tcp();
    String json =
        """
        {"log": {"level": "warn"},
         "endpoints": [{"type": "wireguard", "tag": "wg-ep", "address": ["10.0.0.1/32"],
           "private_key": "%s", "mtu": 1420,
           "peers": [{"address": "127.0.0.1", "port": %d, "public_key": "%s",
                      "allowed_ips": "10.0.0.0/24", "persistent_keepalive_interval": 25}]}],
         "inbounds": [{"type": "direct", "tag": "udp-in", "listen": "127.0.0.1",
           "listen_port": %d, "network": "udp",
           "override_address": "10.0.0.2", "override_port": 7000},
           {"type": "mixed", "tag": "mixed-in", "listen": "127.0.0.1", "listen_port": %d}],
         "outbounds": [{"type": "direct", "tag": "direct"}],
         "route": {"rules": [{"inbound": ["udp-in", "mixed-in"], "outbound": "wg-ep"}],
                   "final": "direct"}}
        """
            .formatted(
                StaticIdentity.encodeKey(id.privateKey()),
                peer.port(),
                peer.publicKey(),
                listen,
                mixed);
    Registry r = Registry.loadAll();
    Umbra umbra = Umbra.start(ConfigLoader.load(Jsonc.parse(json, "test"), r), r);
    closeables.add(() -> umbra.shutdown(java.time.Duration.ofSeconds(1)));
    peer.start(id.publicKey(), null, "10.0.0.1/32");
    closing(peer.upperCaseEcho(7000, 30));
    peer.tcpEcho(8000);

    // local client -> direct inbound -> route rule -> wg-ep -> peer's echo
    try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      client.setSoTimeout(1000);
      String got = null;
      for (int i = 0; i < 10 && got == null; i++) {
        byte[] b = "through".getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), listen));
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        try {
          client.receive(p);
          got = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        } catch (java.net.SocketTimeoutException e) {
          // handshake in progress
        }
      }
      assertThat(got).isEqualTo("THROUGH");
    }

    // peer -> wg-ep (own address, so loopback) -> route.final direct -> a UDP echo on the host
    UdpSocket s = closing(peer.stack.openUdp(peer.ip, 4001));
    Destination viaEndpoint = Destination.parse("10.0.0.1:" + echo.port());
    assertThat(exchange(s, viaEndpoint, "back")).isEqualTo(viaEndpoint + " back");

    // SOCKS client -> mixed inbound -> wg-ep -> the peer's TCP echo
    try (java.net.Socket socks =
        new java.net.Socket(
            new java.net.Proxy(
                java.net.Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", mixed)))) {
      socks.setSoTimeout(20_000);
      socks.connect(new InetSocketAddress("10.0.0.2", 8000), 20_000);
      socks.getOutputStream().write("via socks".getBytes(StandardCharsets.UTF_8));
      socks.shutdownOutput();
      assertThat(new String(socks.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("via socks");
    }

    // peer's TCP -> wg-ep (own address: loopback) -> route.final direct -> an HTTP origin
    try (dev.umbra.testkit.HttpOrigin origin = new dev.umbra.testkit.HttpOrigin();
        Conn c =
            peer.stack.dialTcp(
                new InetSocketAddress("10.0.0.1", origin.port()),
                java.time.Duration.ofSeconds(10))) {
      byte[] response =
          roundTrip(c, "GET /small HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(response, StandardCharsets.UTF_8))
          .startsWith("HTTP/1.")
          .endsWith("ok\n");
    }
  }

  @Test
  void listenPacketBeforeStartFails() throws Exception {
    TunnelPeer peer = closing(new TunnelPeer("10.0.0.2"));
    var options =
        new WireGuardEndpointOptions(
            null,
            null,
            null,
            List.of("10.0.0.1/32"),
            StaticIdentity.encodeKey(StaticIdentity.generate().privateKey()),
            null,
            List.of(
                new WireGuardPeerOptions(
                    null, null, peer.publicKey(), null, List.of("10.0.0.0/24"), null, null)),
            null,
            null,
            DialOptions.DEFAULT);
    WireGuardEndpoint ep = closing(new WireGuardEndpoint("wg", options, context(new EchoRouter())));
    assertThatThrownBy(
            () -> ep.listenPacket(Metadata.internal(Network.UDP, Destination.parse("10.0.0.2:1"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not running");
  }
}
