package dev.umbra.netstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The TCP segment codec: round trips, checksums over both pseudo headers, hostile input. */
class TcpSegmentTest {
  private static final byte[] V4A = {10, 0, 0, 1};
  private static final byte[] V4B = {10, 0, 0, 2};
  private static final byte[] V6A = TestNet.ip("fd00::1").getAddress();
  private static final byte[] V6B = TestNet.ip("fd00::2").getAddress();

  private static TcpSegment parseV4(byte[] p) throws TcpSegment.MalformedException {
    int ihl = (p[0] & 0xf) * 4;
    return TcpSegment.parse(p, ihl, p.length - ihl, p, 12, 16, 4);
  }

  private static TcpSegment parseV6(byte[] p) throws TcpSegment.MalformedException {
    return TcpSegment.parse(p, 40, p.length - 40, p, 8, 24, 16);
  }

  @Test
  void synOptionsRoundTripInTheUsualLayout() throws Exception {
    TcpSegment s = new TcpSegment();
    s.srcPort = 40000;
    s.dstPort = 443;
    s.seq = 0xdeadbeef;
    s.flags = TcpSegment.SYN;
    s.window = 65535;
    s.mss = 1460;
    s.wscale = 7;
    s.sackPermitted = true;
    s.hasTimestamp = true;
    s.tsVal = 123456;
    byte[] p = s.build(V4A, V4B);
    assertThat(p.length).isEqualTo(20 + 20 + 20);
    // MSS, SACK-permitted, timestamps, NOP, window scale: 20 option bytes as Linux sends them
    assertThat(Arrays.copyOfRange(p, 40, 60))
        .containsExactly(
            2, 4, 5, (byte) 0xb4, 4, 2, 8, 10, 0, 1, (byte) 0xe2, 0x40, 0, 0, 0, 0, 3, 3, 7, 0);
    assertThat(IpPackets.checksum(p, 0, 20)).isZero();
    TcpSegment q = parseV4(p);
    assertThat(q.toString()).isEqualTo(s.toString());
    assertThat(q.mss).isEqualTo(1460);
    assertThat(q.wscale).isEqualTo(7);
    assertThat(q.sackPermitted).isTrue();
    assertThat(q.hasTimestamp).isTrue();
    assertThat(q.tsVal).isEqualTo(123456);
    assertThat(q.seqLength()).isEqualTo(1);
  }

  @Property(tries = 300)
  void segmentsRoundTripOverIpv4AndIpv6(
      @ForAll boolean v6,
      @ForAll int seq,
      @ForAll int ack,
      @ForAll @IntRange(max = 0x3f) int flags,
      @ForAll @IntRange(max = 65535) int window,
      @ForAll boolean ts,
      @ForAll @IntRange(max = 4) int sackBlocks,
      @ForAll @Size(max = 1400) byte[] payload) {
    TcpSegment s = new TcpSegment();
    s.srcPort = 1;
    s.dstPort = 65535;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags & ~TcpSegment.SYN;
    s.window = window;
    s.hasTimestamp = ts;
    s.tsVal = seq ^ 0x55;
    s.tsEcr = ack ^ 0x33;
    s.sackCount = ts ? Math.min(3, sackBlocks) : sackBlocks;
    for (int i = 0; i < 2 * s.sackCount; i++) {
      s.sack[i] = seq + 1000 * i;
    }
    s.data = payload;
    s.dataLen = payload.length;
    byte[] p = v6 ? s.build(V6A, V6B) : s.build(V4A, V4B);
    assertThat(s.optionsLength()).isLessThanOrEqualTo(40);
    TcpSegment q;
    try {
      q = v6 ? parseV6(p) : parseV4(p);
    } catch (TcpSegment.MalformedException e) {
      throw new AssertionError(e);
    }
    assertThat(q.toString()).isEqualTo(s.toString());
    assertThat(q.hasTimestamp).isEqualTo(ts);
    if (ts) {
      assertThat(q.tsVal).isEqualTo(s.tsVal);
      assertThat(q.tsEcr).isEqualTo(s.tsEcr);
    }
    assertThat(q.sackCount).isEqualTo(s.sackCount);
    assertThat(Arrays.copyOf(q.sack, 2 * q.sackCount))
        .containsExactly(Arrays.copyOf(s.sack, 2 * s.sackCount));
    assertThat(Arrays.copyOfRange(q.data, q.dataOff, q.dataOff + q.dataLen)).isEqualTo(payload);
    // any flipped bit is caught by the checksum
    int at = (v6 ? 40 : 20) + (seq & 0x7fffffff) % (p.length - (v6 ? 40 : 20));
    p[at] ^= (byte) (1 << (ack & 7));
    assertThatThrownBy(
            () -> {
              if (v6) parseV6(p);
              else parseV4(p);
            })
        .isInstanceOf(TcpSegment.MalformedException.class);
  }

  /** Sets the TCP checksum of a v4 packet so only the header content is hostile. */
  private static void fixChecksum(byte[] p) {
    int tcpLen = p.length - 20;
    IpPackets.putU16(p, 36, 0);
    long acc = IpPackets.sum(p, 12, 8, 0) + IpPackets.PROTO_TCP + tcpLen;
    IpPackets.putU16(p, 36, IpPackets.fold(IpPackets.sum(p, 20, tcpLen, acc)));
  }

  private static byte[] withOptions(byte... options) {
    TcpSegment s = new TcpSegment();
    s.srcPort = 5;
    s.dstPort = 6;
    s.flags = TcpSegment.ACK;
    byte[] base = s.build(V4A, V4B);
    int optLen = (options.length + 3) & ~3;
    byte[] p = Arrays.copyOf(base, base.length + optLen);
    System.arraycopy(options, 0, p, 40, options.length);
    IpPackets.putU16(p, 2, p.length);
    p[32] = (byte) (((20 + optLen) / 4) << 4);
    fixChecksum(p);
    return p;
  }

  @Test
  void hostileHeadersAreRefused() {
    List<byte[]> bad =
        List.of(
            withOptions((byte) 2, (byte) 40, (byte) 5, (byte) 0xb4), // MSS length past the header
            withOptions((byte) 8, (byte) 1, (byte) 0, (byte) 0), // length below 2
            withOptions((byte) 1, (byte) 1, (byte) 1, (byte) 3), // no room for a length byte
            withOptions((byte) 2, (byte) 3, (byte) 0, (byte) 0), // MSS of the wrong length
            withOptions(
                (byte) 5, (byte) 6, (byte) 0, (byte) 0, (byte) 0, (byte) 0), // SACK 1/2 block
            withOptions((byte) 8, (byte) 4, (byte) 0, (byte) 0)); // short timestamps
    for (byte[] p : bad) {
      assertThatThrownBy(() -> parseV4(p)).isInstanceOf(TcpSegment.MalformedException.class);
    }
    byte[] offsetTooLarge = withOptions();
    offsetTooLarge[32] = (byte) 0xf0; // 60 bytes of header in a 20-byte segment
    fixChecksum(offsetTooLarge);
    assertThatThrownBy(() -> parseV4(offsetTooLarge)).hasMessageContaining("data offset");
    byte[] offsetTooSmall = withOptions();
    offsetTooSmall[32] = 0x40;
    fixChecksum(offsetTooSmall);
    assertThatThrownBy(() -> parseV4(offsetTooSmall)).hasMessageContaining("data offset");
    byte[] badSum = withOptions();
    badSum[37] ^= 1;
    assertThatThrownBy(() -> parseV4(badSum)).hasMessageContaining("checksum");
    assertThatThrownBy(() -> TcpSegment.parse(new byte[19], 0, 19, V4A, 0, 0, 4))
        .hasMessageContaining("shorter");
  }

  @Test
  void unknownOptionsAreSkipped() throws Exception {
    TcpSegment s =
        parseV4(withOptions((byte) 30, (byte) 4, (byte) 1, (byte) 2, (byte) 1, (byte) 0));
    assertThat(s.mss).isEqualTo(-1);
    assertThat(s.dataLen).isZero();
  }

  @Provide
  Arbitrary<byte[]> tcpPackets() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(80);
  }

  /**
   * Random TCP headers behind a valid IPv4 header, fed to a stack with a forwarder: never throws.
   */
  @Property(tries = 500)
  void hostileSegmentsNeverEscapeInput(@ForAll("tcpPackets") byte[] tcp, @ForAll boolean fix) {
    byte[] p = new byte[20 + tcp.length];
    p[0] = 0x45;
    IpPackets.putU16(p, 2, p.length);
    p[8] = 64;
    p[9] = IpPackets.PROTO_TCP;
    System.arraycopy(V4A, 0, p, 12, 4);
    System.arraycopy(V4B, 0, p, 16, 4);
    IpPackets.putU16(p, 10, IpPackets.checksum(p, 0, 20));
    System.arraycopy(tcp, 0, p, 20, tcp.length);
    if (fix && tcp.length >= 20) {
      fixChecksum(p);
    }
    NetStack s = new NetStack(List.of(TestNet.ip("10.0.0.2")), (b, off, len) -> {});
    s.serveTcp(
        new TcpAcceptor() {
          @Override
          public boolean accepts(java.net.InetSocketAddress l, java.net.InetSocketAddress r) {
            return true;
          }

          @Override
          public void accepted(TcpConn conn) {}
        });
    try {
      s.input(p, 0, p.length);
      s.input(p, 0, p.length);
    } finally {
      s.close();
    }
  }
}
