package dev.umbra.dns.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vectors, round trips and hostile datagrams for the DHCPv4 codec. */
class DhcpCodecTest {
  static final byte[] MAC = HexFormat.of().parseHex("02aabbccddee");

  static Inet4Address ip(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  /** An ACK as a server would send it, built byte by byte (not with our encoder). */
  static byte[] ack(int xid, byte[] options) {
    ByteBuffer b = ByteBuffer.allocate(240 + options.length);
    b.put((byte) 2).put((byte) 1).put((byte) 6).put((byte) 0);
    b.putInt(xid);
    b.putShort((short) 0).putShort((short) 0);
    b.put(new byte[] {10, 0, 0, 2}); // ciaddr
    b.putInt(0).putInt(0).putInt(0);
    b.put(MAC);
    b.position(236);
    b.putInt(0x63825363);
    b.put(options);
    return b.array();
  }

  static byte[] opts(int... bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) bytes[i];
    }
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  @Test
  void readsAnAckWithDnsServersAndDomain() throws Exception {
    byte[] wire =
        ack(
            0x1234abcd,
            concat(
                opts(53, 1, 5),
                opts(54, 4, 10, 0, 0, 1),
                opts(6, 8, 10, 0, 0, 1, 9, 9, 9, 9),
                opts(0, 0), // padding
                opts(15, 4),
                "lan.".getBytes(StandardCharsets.US_ASCII),
                opts(255)));
    DhcpMessage m = DhcpCodec.parse(wire, 0, wire.length);
    assertThat(m.op()).isEqualTo(DhcpMessage.BOOTREPLY);
    assertThat(m.xid()).isEqualTo(0x1234abcd);
    assertThat(m.messageType()).isEqualTo(DhcpMessage.ACK);
    assertThat(m.chaddr()).isEqualTo(MAC);
    assertThat(m.ciaddr()).isEqualTo(ip("10.0.0.2"));
    assertThat(m.serverId()).isEqualTo(ip("10.0.0.1"));
    assertThat(m.dnsServers()).containsExactly(ip("10.0.0.1"), ip("9.9.9.9"));
    assertThat(m.domainName()).isEqualTo("lan");
    assertThat(m.domainSearch()).isEmpty();
  }

  @Test
  void readsTheRfc3397SearchListWithCompression() throws Exception {
    // RFC 3397 §2's example: eng.apple.com and marketing.apple.com, the second by a pointer
    byte[] list =
        concat(
            opts(3),
            "eng".getBytes(StandardCharsets.US_ASCII),
            opts(5),
            "apple".getBytes(StandardCharsets.US_ASCII),
            opts(3),
            "com".getBytes(StandardCharsets.US_ASCII),
            opts(0, 9),
            "marketing".getBytes(StandardCharsets.US_ASCII),
            opts(0xc0, 4));
    // split over two option 119 instances, joined as RFC 3396 says
    byte[] wire =
        ack(
            1,
            concat(
                opts(53, 1, 2, 119, 10),
                java.util.Arrays.copyOf(list, 10),
                opts(119, list.length - 10),
                java.util.Arrays.copyOfRange(list, 10, list.length),
                opts(255)));
    DhcpMessage m = DhcpCodec.parse(wire, 0, wire.length);
    assertThat(m.domainSearch()).containsExactly("eng.apple.com", "marketing.apple.com");
  }

  @Test
  void followsOptionOverloadIntoFileAndSname() throws Exception {
    byte[] wire = ack(7, concat(opts(53, 1, 5, 52, 1, 3, 255)));
    wire[108] = 6; // file field: option 6
    wire[109] = 4;
    System.arraycopy(new byte[] {10, 1, 1, 1}, 0, wire, 110, 4);
    wire[114] = (byte) 255;
    wire[44] = 15; // sname field: option 15
    wire[45] = 3;
    System.arraycopy("lan".getBytes(StandardCharsets.US_ASCII), 0, wire, 46, 3);
    wire[49] = (byte) 255;
    DhcpMessage m = DhcpCodec.parse(wire, 0, wire.length);
    assertThat(m.dnsServers()).containsExactly(ip("10.1.1.1"));
    assertThat(m.domainName()).isEqualTo("lan");
  }

  @Test
  void encodesAnInformThatReadsBack() throws Exception {
    DhcpMessage inform = DhcpClient.inform(ip("10.0.0.2"), MAC);
    byte[] wire = DhcpCodec.encode(inform);
    assertThat(wire.length).isGreaterThanOrEqualTo(300);
    assertThat(wire[0]).isEqualTo((byte) 1);
    assertThat(wire[1]).isEqualTo((byte) 1);
    assertThat(wire[2]).isEqualTo((byte) 6);
    assertThat(java.util.Arrays.copyOfRange(wire, 12, 16)).containsExactly(10, 0, 0, 2);
    assertThat(java.util.Arrays.copyOfRange(wire, 236, 240))
        .containsExactly(0x63, 0x82 - 256, 0x53, 0x63);
    DhcpMessage back = DhcpCodec.parse(wire, 0, wire.length);
    assertThat(back).isEqualTo(inform);
    assertThat(back.messageType()).isEqualTo(DhcpMessage.INFORM);
    assertThat(back.options().get(DhcpMessage.OPT_PARAMETERS)).contains(6, 15, 119);

    DhcpMessage discover = DhcpClient.discover(MAC);
    DhcpMessage d = DhcpCodec.parse(DhcpCodec.encode(discover), 0, 300);
    assertThat(d.flags()).isEqualTo(DhcpMessage.FLAG_BROADCAST);
    assertThat(d.ciaddr()).isEqualTo(ip("0.0.0.0"));
    assertThat(d.messageType()).isEqualTo(DhcpMessage.DISCOVER);
  }

  @Test
  void splitsLongOptionsAndJoinsThemBack() throws Exception {
    byte[] big = new byte[600];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    Map<Integer, byte[]> o = new LinkedHashMap<>();
    o.put(53, new byte[] {8});
    o.put(224, big);
    DhcpMessage m = new DhcpMessage(1, 5, 0, null, null, MAC, o);
    byte[] wire = DhcpCodec.encode(m);
    assertThat(DhcpCodec.parse(wire, 0, wire.length).options().get(224)).isEqualTo(big);
  }

  @Test
  void refusesHostileDatagrams() {
    byte[] good = ack(1, opts(53, 1, 5, 6, 4, 10, 0, 0, 1, 255));
    assertThatThrownBy(() -> DhcpCodec.parse(good, 0, 100))
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("too short");

    byte[] noEnd = ack(1, opts(53, 1, 5));
    assertThatThrownBy(() -> DhcpCodec.parse(noEnd, 0, noEnd.length))
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("no end option");

    byte[] overlong = ack(1, opts(53, 1, 5, 6, 200, 10, 0, 0, 1));
    assertThatThrownBy(() -> DhcpCodec.parse(overlong, 0, overlong.length))
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("runs past the end");

    byte[] noLength = ack(1, opts(53, 1, 5, 6));
    assertThatThrownBy(() -> DhcpCodec.parse(noLength, 0, noLength.length))
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("has no length");

    byte[] cookie = good.clone();
    cookie[236] = 0;
    assertThatThrownBy(() -> DhcpCodec.parse(cookie, 0, cookie.length))
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("magic cookie");

    byte[] op = good.clone();
    op[0] = 3;
    assertThatThrownBy(() -> DhcpCodec.parse(op, 0, op.length))
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("bad op");

    byte[] hlen = good.clone();
    hlen[2] = 17;
    assertThatThrownBy(() -> DhcpCodec.parse(hlen, 0, hlen.length))
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("hardware address length");

    byte[] huge = new byte[2000];
    System.arraycopy(good, 0, huge, 0, good.length);
    assertThatThrownBy(() -> DhcpCodec.parse(huge, 0, huge.length))
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("longer than");

    byte[] overloadLoop = ack(1, opts(53, 1, 5, 52, 1, 1, 255));
    overloadLoop[108] = 52;
    overloadLoop[109] = 1;
    overloadLoop[110] = 1;
    overloadLoop[111] = (byte) 255;
    assertThatThrownBy(() -> DhcpCodec.parse(overloadLoop, 0, overloadLoop.length))
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("overload");
  }

  @Test
  void refusesMalformedOptionValues() throws Exception {
    byte[] dns3 = ack(1, opts(53, 1, 5, 6, 3, 10, 0, 0, 255));
    DhcpMessage m = DhcpCodec.parse(dns3, 0, dns3.length);
    assertThatThrownBy(m::dnsServers)
        .isInstanceOf(DhcpFormatException.class)
        .hasMessageContaining("multiple of 4");

    // a pointer to itself, a forward pointer and a label past the end
    for (byte[] list :
        new byte[][] {opts(3, 'a', 'b', 'c', 0xc0, 4), opts(0xc0, 2, 0), opts(5, 'a', 'b')}) {
      byte[] wire = ack(1, concat(opts(53, 1, 5, 119, list.length), list, opts(255)));
      DhcpMessage s = DhcpCodec.parse(wire, 0, wire.length);
      assertThatThrownBy(s::domainSearch).isInstanceOf(DhcpFormatException.class);
    }

    byte[] badName = ack(1, opts(53, 1, 5, 15, 3, 'a', ' ', 'b', 255));
    DhcpMessage n = DhcpCodec.parse(badName, 0, badName.length);
    assertThatThrownBy(n::domainName).isInstanceOf(DhcpFormatException.class);
  }
}
