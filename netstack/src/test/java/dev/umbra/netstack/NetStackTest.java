package dev.umbra.netstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Destination;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The stack on a test link: ICMP echo, UDP over IPv4 and IPv6, and bad input dropped. */
class NetStackTest {
  private final BlockingQueue<byte[]> out = new LinkedBlockingQueue<>();

  private NetStack stack() throws Exception {
    return new NetStack(
        List.of(InetAddress.getByName("10.0.0.1"), InetAddress.getByName("fd00::1")),
        (p, off, len) -> out.add(Arrays.copyOfRange(p, off, off + len)));
  }

  private static byte[] ip(String s) throws Exception {
    return InetAddress.getByName(s).getAddress();
  }

  @Test
  void answersIcmpv6EchoRequestsToItsAddressOnly() throws Exception {
    NetStack s = stack();
    byte[] req = Icmp6.echo(128, ip("fd00::2"), ip("fd00::1"), 7, 9, new byte[] {1, 2, 3});
    s.input(req, 0, req.length);
    byte[] reply = out.poll(1, TimeUnit.SECONDS);
    assertThat(reply)
        .isEqualTo(Icmp6.echo(129, ip("fd00::1"), ip("fd00::2"), 7, 9, new byte[] {1, 2, 3}));
    // the reply's checksum covers the IPv6 pseudo-header: a valid request from the reply's view
    assertThat(Icmp6.replyTo(reply, 0, reply.length)).isNull(); // a reply is not answered
    byte[] other = Icmp6.echo(128, ip("fd00::2"), ip("fd00::9"), 7, 9, new byte[0]);
    s.input(other, 0, other.length);
    byte[] corrupt = req.clone();
    corrupt[49] ^= 1;
    s.input(corrupt, 0, corrupt.length);
    assertThat(out).isEmpty();
  }

  @Test
  void icmpv6ChecksumMatchesAKnownPacket() throws Exception {
    // ping6 from fe80::1 to fe80::2, id 0x1234, seq 1, no data: checksum computed by hand from
    // RFC 4443 §2.3 (pseudo-header sum 0xfe80*2 + 1 + 2 + 8 + 58, plus 0x8000 + 0x1234 + 1)
    byte[] p = Icmp6.echo(128, ip("fe80::1"), ip("fe80::2"), 0x1234, 1, new byte[0]);
    long sum = 0xfe80L * 2 + 1 + 2 + 8 + 58 + 0x8000 + 0x1234 + 1;
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    assertThat(IpPackets.u16(p, 42)).isEqualTo((int) (~sum & 0xffff));
  }

  @Test
  void answersEchoRequestsToItsAddressOnly() throws Exception {
    NetStack s = stack();
    byte[] req = Icmp4.echo(8, ip("10.0.0.2"), ip("10.0.0.1"), 3, 4, new byte[] {1, 2});
    s.input(req, 0, req.length);
    byte[] reply = out.poll(1, TimeUnit.SECONDS);
    assertThat(reply)
        .isEqualTo(Icmp4.echo(0, ip("10.0.0.1"), ip("10.0.0.2"), 3, 4, new byte[] {1, 2}));
    byte[] other = Icmp4.echo(8, ip("10.0.0.2"), ip("10.0.0.9"), 3, 4, new byte[0]);
    s.input(other, 0, other.length);
    byte[] corrupt = req.clone();
    corrupt[29] ^= 1;
    s.input(corrupt, 0, corrupt.length);
    assertThat(out).isEmpty();
  }

  @Test
  void udpBothWaysOverIpv4AndIpv6() throws Exception {
    NetStack s = stack();
    for (String[] pair : new String[][] {{"10.0.0.1", "10.0.0.2"}, {"fd00::1", "fd00::2"}}) {
      UdpSocket sock = s.openUdp(InetAddress.getByName(pair[0]), 5353);
      byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
      byte[] in = Udp.packet(ip(pair[1]), 40000, ip(pair[0]), 5353, hello, 0, hello.length);
      s.input(in, 0, in.length);
      ByteBuffer buf = ByteBuffer.allocate(100);
      Destination from = sock.receive(buf);
      assertThat(from).isEqualTo(new Destination.Ip(InetAddress.getByName(pair[1]), 40000));
      assertThat(Arrays.copyOf(buf.array(), buf.position())).isEqualTo(hello);
      sock.send(ByteBuffer.wrap(new byte[] {7, 8}), from);
      byte[] sent = out.poll(1, TimeUnit.SECONDS);
      assertThat(sent)
          .isEqualTo(Udp.packet(ip(pair[0]), 5353, ip(pair[1]), 40000, new byte[] {7, 8}, 0, 2));
      sock.close();
    }
  }

  @Test
  void badUdpChecksumsAndClosedPortsAreDropped() throws Exception {
    NetStack s = stack();
    UdpSocket sock = s.openUdp(InetAddress.getByName("10.0.0.1"), 9);
    sock.setReadTimeout(200);
    byte[] in = Udp.packet(ip("10.0.0.2"), 1, ip("10.0.0.1"), 9, new byte[] {1}, 0, 1);
    in[in.length - 1] ^= 1;
    s.input(in, 0, in.length);
    byte[] closedPort = Udp.packet(ip("10.0.0.2"), 1, ip("10.0.0.1"), 10, new byte[] {1}, 0, 1);
    s.input(closedPort, 0, closedPort.length);
    assertThatThrownBy(() -> sock.receive(ByteBuffer.allocate(10)))
        .isInstanceOf(SocketTimeoutException.class);
    assertThatThrownBy(() -> s.openUdp(InetAddress.getByName("10.0.0.1"), 9))
        .hasMessageContaining("in use");
  }

  @Property(tries = 300)
  void hostilePacketsNeverThrow(@ForAll @Size(max = 120) byte[] junk) throws Exception {
    NetStack s = stack();
    byte[] p = junk.clone();
    if (p.length > 20) {
      p[0] = (byte) (p[0] % 2 == 0 ? 0x45 : 0x60);
    }
    s.input(p, 0, p.length);
  }

  @Test
  void prefixes() {
    IpPrefix p = IpPrefix.parse("10.1.0.0/17");
    assertThat(p.contains(new byte[] {10, 1, 127, 1}, 0, 4)).isTrue();
    assertThat(p.contains(new byte[] {10, 1, (byte) 128, 1}, 0, 4)).isFalse();
    assertThat(IpPrefix.parse("fd00::/8").contains(new byte[16], 0, 16)).isFalse();
    assertThat(IpPrefix.parse("0.0.0.0/0").contains(new byte[] {1, 2, 3, 4}, 0, 4)).isTrue();
    assertThatThrownBy(() -> IpPrefix.parse("example.com/8"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/33"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
