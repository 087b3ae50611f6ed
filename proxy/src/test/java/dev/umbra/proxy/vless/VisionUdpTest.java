package dev.umbra.proxy.vless;

import static dev.umbra.proxy.vless.VisionCodecTest.UUID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.Pipe;
import dev.umbra.testkit.TestCerts;
import dev.umbra.tls.TlsConn;
import dev.umbra.tls.TlsOptions;
import dev.umbra.tls.TlsServer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UDP with {@code flow: xtls-rprx-vision} on the wire, as Xray-core's VLESS client sends it
 * (proxy/vless/outbound: the UDP request becomes the Mux command to v1.mux.cool, XUDP framing, the
 * flow kept in the addons, the stream Vision-padded like TCP) and as sing-vmess's client does
 * (vless/client.go DialEarlyXUDPPacketConn): Umbra's outbound over a real outer TLS 1.3 (in-memory
 * carrier) against a server side written here from the published formats; and the inbound's flow
 * rules (Xray proxy/vless/inbound).
 */
class VisionUdpTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String UUID_TEXT = "b831381d-6324-4d53-ad4f-8cda48b30811";
  @TempDir static Path dir;
  static TestCerts certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TestCerts.create(dir);
  }

  private static VlessOutboundOptions outboundOptions(String extra) {
    return Binder.bind(
        Jsonc.parse(
            """
            {"type": "vless", "tag": "out", "server": "127.0.0.1", "server_port": 443,
             "uuid": "%s", "flow": "xtls-rprx-vision", %s
             "tls": {"enabled": true, "server_name": "localhost", "certificate_path": "%s"}}
            """
                .formatted(UUID_TEXT, extra, certs.certificate()),
            "t"),
        VlessOutboundOptions.class,
        "outbounds[0]",
        Set.of("type", "tag"));
  }

  /** A dialer whose one connection is the given carrier. */
  private static Dialer carrier(Conn c) {
    return new Dialer() {
      @Override
      public Conn dial(Destination destination) {
        return c;
      }

      @Override
      public PacketConn listenPacket(Destination firstDestination) throws IOException {
        throw new IOException("not used");
      }
    };
  }

  private static CompletableFuture<TlsConn> acceptTls(Conn carrier) {
    TlsServer server =
        TlsServer.create(
            Binder.bind(
                Jsonc.parse(
                    "{\"enabled\": true, \"certificate_path\": \"%s\", \"key_path\": \"%s\"}"
                        .formatted(certs.certificate(), certs.key()),
                    "t"),
                TlsOptions.class,
                "tls"),
            "tls");
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return server.accept(carrier);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        Thread::startVirtualThread);
  }

  record Block(int command, byte[] content) {}

  static Block readBlock(DataInputStream in) throws IOException {
    int command = in.readUnsignedByte();
    byte[] content = new byte[in.readUnsignedShort()];
    int padding = in.readUnsignedShort();
    in.readFully(content);
    in.skipNBytes(padding);
    return new Block(command, content);
  }

  /** A block built by hand from the published layout. */
  static byte[] block(int command, byte[] content, int padding) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(command);
    b.write(content.length >>> 8);
    b.write(content.length);
    b.write(padding >>> 8);
    b.write(padding);
    b.writeBytes(content);
    b.writeBytes(new byte[padding]);
    return b.toByteArray();
  }

  /** An XUDP frame built by hand: IPv4 127.0.0.1 only, as used here. */
  static byte[] xudp(int status, int port, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(2 + 12 + 2 + data.length);
    b.putShort((short) 12).putShort((short) 0).put((byte) status).put((byte) 1).put((byte) 2);
    b.putShort((short) port).put((byte) 1).put(new byte[] {127, 0, 0, 1});
    b.putShort((short) data.length).put(data);
    return b.array();
  }

  private static byte[] datagram(int i) {
    return ("datagram-" + i + "-" + "y".repeat(40 + 37 * i)).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The client's first bytes inside the outer TLS are the VLESS request with command Mux (3), no
   * address (v1.mux.cool:666 is implied, as Xray and sing-vmess encode it) and the flow in the
   * addons, then the UUID and an empty padded block; each datagram then goes as an XUDP frame (New,
   * then Keep, each naming its destination, two destinations in one session) inside Vision blocks
   * until the filter gives up on non-TLS and ends padding with {@code end}, after which the frames
   * go unpadded inside the outer TLS. The server's padded answer comes back byte for byte.
   */
  @Test
  void outboundSendsMuxWithTheFlowThenVisionPaddedXudp() throws Exception {
    Conn[] pipe = Pipe.create();
    CompletableFuture<TlsConn> accepted = acceptTls(pipe[1]);
    VlessOutbound out = new VlessOutbound("out", outboundOptions(""), carrier(pipe[0]));
    Destination a = Destination.of("127.0.0.1", 5301);
    Destination b = Destination.of("127.0.0.1", 5302);
    try (PacketConn client = out.listenPacket(Metadata.internal(Network.UDP, a));
        TlsConn s = accepted.get(20, TimeUnit.SECONDS)) {
      s.setReadTimeout(20_000);
      client.setReadTimeout(20_000);
      DataInputStream in = new DataInputStream(s.in());
      assertThat(HEX.formatHex(in.readNBytes(1 + 16 + 1 + 18 + 1)))
          .isEqualTo(
              "00"
                  + HEX.formatHex(UUID)
                  + "12"
                  + "0a10"
                  + HEX.formatHex(Flow.VISION.getBytes(StandardCharsets.US_ASCII))
                  + "03");
      assertThat(in.readNBytes(16)).as("Vision starts with the UUID").isEqualTo(UUID);
      Block empty = readBlock(in);
      assertThat(empty.command()).isEqualTo(VisionPadding.CONTINUE);
      assertThat(empty.content()).isEmpty();

      int n = 10;
      List<byte[]> frames = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Destination to = i % 2 == 0 ? a : b;
        client.send(ByteBuffer.wrap(datagram(i)), to);
        frames.add(xudp(i == 0 ? Xudp.NEW : Xudp.KEEP, to.port(), datagram(i)));
      }
      // 8 packets to filter, the one that brings it to 1 ends padding (non-TLS): the 7th write
      for (int i = 0; i < 7; i++) {
        Block got = readBlock(in);
        assertThat(got.command())
            .as("block " + i)
            .isEqualTo(i < 6 ? VisionPadding.CONTINUE : VisionPadding.END);
        assertThat(HEX.formatHex(got.content())).isEqualTo(HEX.formatHex(frames.get(i)));
      }
      for (int i = 7; i < n; i++) {
        assertThat(HEX.formatHex(in.readNBytes(frames.get(i).length)))
            .as("unpadded frame " + i)
            .isEqualTo(HEX.formatHex(frames.get(i)));
      }

      // the server's answer: response header, UUID, padded Keep frames, end, then unpadded
      byte[][] replies = {datagram(20), datagram(21), datagram(22)};
      ByteArrayOutputStream down = new ByteArrayOutputStream();
      down.writeBytes(Vless.response());
      down.writeBytes(UUID);
      down.writeBytes(block(VisionPadding.CONTINUE, xudp(Xudp.KEEP, a.port(), replies[0]), 300));
      down.writeBytes(block(VisionPadding.END, xudp(Xudp.KEEP, b.port(), replies[1]), 7));
      down.writeBytes(xudp(Xudp.KEEP, a.port(), replies[2]));
      s.out().write(down.toByteArray());
      s.out().flush();
      Destination[] from = {a, b, a};
      for (int i = 0; i < replies.length; i++) {
        ByteBuffer into = ByteBuffer.allocate(2048);
        assertThat(client.receive(into)).isEqualTo(from[i]);
        assertThat(Arrays.copyOf(into.array(), into.position())).isEqualTo(replies[i]);
      }
    }
  }

  /**
   * As Xray's inbound: Vision users send UDP as the Mux command; command UDP with it is refused.
   */
  @Test
  void inboundFlowRules() {
    Destination d = Destination.of("127.0.0.1", 53);
    assertThatCode(
            () -> VlessInbound.checkFlow(Flow.VISION, new Vless.Request(Vless.MUX, d, Flow.VISION)))
        .doesNotThrowAnyException();
    assertThatCode(
            () -> VlessInbound.checkFlow(Flow.VISION, new Vless.Request(Vless.TCP, d, Flow.VISION)))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () -> VlessInbound.checkFlow(Flow.VISION, new Vless.Request(Vless.UDP, d, Flow.VISION)))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("xtls-rprx-vision doesn't support UDP");
    // without the flow, a Vision user may send plain UDP and xudp, never TCP (Xray)
    assertThatCode(() -> VlessInbound.checkFlow(Flow.VISION, new Vless.Request(Vless.UDP, d)))
        .doesNotThrowAnyException();
    assertThatCode(() -> VlessInbound.checkFlow(Flow.VISION, new Vless.Request(Vless.MUX, d)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> VlessInbound.checkFlow(Flow.VISION, new Vless.Request(Vless.TCP, d)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("must use flow");
    assertThatThrownBy(
            () -> VlessInbound.checkFlow("", new Vless.Request(Vless.MUX, d, Flow.VISION)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("not allowed");
  }

  /** Vision's UDP is xudp only: another packet encoding with it is refused at load. */
  @Test
  void visionRefusesOtherPacketEncodings() {
    assertThatCode(() -> outboundOptions("\"packet_encoding\": \"xudp\","))
        .doesNotThrowAnyException();
    for (String encoding : new String[] {"", "packetaddr"}) {
      assertThatThrownBy(() -> outboundOptions("\"packet_encoding\": \"%s\",".formatted(encoding)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("outbounds[0].packet_encoding")
          .hasMessageContaining("xudp only");
    }
  }
}
