package dev.umbra.proxy.vless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Pipe;
import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.UdpEcho;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * UDP {@code packet_encoding} xudp and packetaddr: byte layouts (sing-vmess xudp.go and packetaddr,
 * Xray-core common/xudp) and Umbra to Umbra through the CLI configs.
 */
class PacketEncodingTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void xudpFrames() throws IOException {
    // meta length 5 + address, session 0, status new (1), option data (1), network UDP (2),
    // port 53, type IPv4 (1), 1.2.3.4; then data length and data
    assertThat(HEX.formatHex(Xudp.frame(1, Destination.of("1.2.3.4", 53), "hi".getBytes(), 0, 2)))
        .isEqualTo(
            "000c" + "0000" + "01" + "01" + "02" + "0035" + "01" + "01020304" + "0002" + "6869");
    // a Keep frame from Xray with an 8-byte global ID after the address, then End
    Conn[] p = Pipe.create();
    Xudp server = new Xudp(p[1], Xudp.DESTINATION, false);
    p[0].out()
        .write(
            HEX.parseHex(
                "0014"
                    + "0000"
                    + "01"
                    + "01"
                    + "02"
                    + "0035"
                    + "01"
                    + "01020304"
                    + "0102030405060708"
                    + "0003"
                    + "616263"
                    + "0004"
                    + "0000"
                    + "03"
                    + "00"));
    p[0].out().flush();
    assertThat(server.peekFirst()).isEqualTo(Destination.of("1.2.3.4", 53));
    ByteBuffer b = ByteBuffer.allocate(100);
    assertThat(server.receive(b)).isEqualTo(Destination.of("1.2.3.4", 53));
    assertThat(new String(b.array(), 0, b.position())).isEqualTo("abc");
    assertThatThrownBy(() -> server.receive(ByteBuffer.allocate(10)))
        .isInstanceOf(java.io.EOFException.class);
    // the server answers with Keep frames naming the source
    p[1].setReadTimeout(1000);
    server.send(ByteBuffer.wrap("ok".getBytes()), Destination.of("1.2.3.4", 53));
    byte[] reply = p[0].in().readNBytes(18);
    assertThat(HEX.formatHex(reply))
        .isEqualTo(
            "000c" + "0000" + "02" + "01" + "02" + "0035" + "01" + "01020304" + "0002" + "6f6b");
  }

  @Test
  void xudpHostileFrames() throws IOException {
    Conn[] p = Pipe.create();
    Xudp server = new Xudp(p[1], Xudp.DESTINATION, false);
    p[0].out().write(HEX.parseHex("0fff"));
    p[0].out().flush();
    assertThatThrownBy(server::peekFirst).isInstanceOf(ProtocolException.class);
    Conn[] q = Pipe.create();
    Xudp tcp = new Xudp(q[1], Xudp.DESTINATION, false);
    q[0].out().write(HEX.parseHex("000c00000101010035010102030400026869"));
    q[0].out().flush();
    assertThatThrownBy(tcp::peekFirst).isInstanceOf(ProtocolException.class);
  }

  @Test
  void packetAddrPrefix() throws IOException {
    // family 1 (IPv4) or 2 (IPv6), address, port u16 BE; no domains
    assertThat(HEX.formatHex(PacketAddr.prefix(Destination.of("1.2.3.4", 53))))
        .isEqualTo("01" + "01020304" + "0035");
    assertThat(HEX.formatHex(PacketAddr.prefix(Destination.of("::1", 443))))
        .isEqualTo("02" + "00000000000000000000000000000001" + "01bb");
    assertThatThrownBy(() -> PacketAddr.prefix(Destination.of("example.com", 53)))
        .hasMessageContaining("domain");
    assertThat(PacketAddr.read(ByteBuffer.wrap(HEX.parseHex("01010203040035ff"))))
        .isEqualTo(Destination.of("1.2.3.4", 53));
    assertThatThrownBy(() -> PacketAddr.read(ByteBuffer.wrap(HEX.parseHex("030102"))))
        .isInstanceOf(ProtocolException.class);
    // a VLESS Mux request carries no address
    assertThat(HEX.formatHex(Vless.request(new byte[16], Vless.MUX, Xudp.DESTINATION)))
        .isEqualTo("00" + "00".repeat(16) + "00" + "03");
  }

  @ParameterizedTest
  @CsvSource({"vless, xudp", "vless, packetaddr", "vmess, xudp", "vmess, packetaddr"})
  void udpEndToEnd(String protocol, String encoding) throws Exception {
    int port = FreePort.tcp();
    int udp = FreePort.tcp();
    try (UdpEcho echo = new UdpEcho();
        Harness.Running server =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "%s", "tag": "in", "listen": "127.0.0.1",
                   "listen_port": %d, "users": [{"name": "u", "uuid": "%s"}]}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(protocol, port, Harness.UUID));
        Harness.Running client =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [
                   {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
                    "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
                 "outbounds": [{"type": "%s", "tag": "out", "server": "127.0.0.1",
                   "server_port": %d, "uuid": "%s", "packet_encoding": "%s"}]}
                """
                    .formatted(udp, echo.port(), protocol, port, Harness.UUID, encoding))) {
      Harness.assertUdpEcho(udp);
    }
  }
}
