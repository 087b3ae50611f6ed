package dev.umbra.netstack;

import static dev.umbra.netstack.TcpTestSupport.data;
import static dev.umbra.netstack.TcpTestSupport.readHash;
import static dev.umbra.netstack.TcpTestSupport.sha256;
import static dev.umbra.netstack.TcpTestSupport.writeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Opening and closing: forwarder, RST, half-close, TIME-WAIT, SYN flood, negotiated options. */
class TcpLifecycleTest {
  private static final InetSocketAddress B = new InetSocketAddress(TestNet.ip("10.0.0.2"), 8080);

  @Test
  void theForwarderTakesAnyDestinationAndRepliesFromIt() throws Exception {
    try (TestNet net = new TestNet(10)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      InetSocketAddress elsewhere = new InetSocketAddress(TestNet.ip("198.51.100.7"), 443);
      net.ab.capture = true;
      TcpConn c = net.a.dialTcp(elsewhere, Duration.ofSeconds(5));
      TcpConn s = server.take();
      assertThat(s.localAddress()).isEqualTo(elsewhere);
      assertThat(c.remoteAddress()).isEqualTo(elsewhere);
      writeAll(s, "hi".getBytes()).get(5, TimeUnit.SECONDS);
      assertThat(readHash(c).get(5, TimeUnit.SECONDS)).isEqualTo(sha256("hi".getBytes()));
    }
  }

  @Test
  void aRefusingForwarderAnswersWithRstAndDialFailsClearly() throws Exception {
    try (TestNet net = new TestNet(11)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      server.accept = false;
      net.b.serveTcp(server);
      assertThatThrownBy(() -> net.a.dialTcp(B, Duration.ofSeconds(5)))
          .isInstanceOf(ConnectException.class)
          .hasMessageContaining("refused");
      // without a forwarder, a SYN to the stack's own address is refused too
      try (TestNet plain = new TestNet(12)) {
        assertThatThrownBy(() -> plain.a.dialTcp(B, Duration.ofSeconds(5)))
            .isInstanceOf(ConnectException.class);
      }
      assertThat(net.a.tcpConnectionCount()).isZero();
    }
  }

  @Test
  void aDialWithNoAnswerTimesOut() throws Exception {
    try (TestNet net = new TestNet(13)) {
      net.ab.drop = 1.0;
      assertThatThrownBy(() -> net.a.dialTcp(B, Duration.ofMillis(1500)))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("timed out");
      assertThat(net.a.tcpConnectionCount()).isZero();
      assertThat(net.a.tcpStats().retransmits()).isPositive(); // the SYN was retried
    }
  }

  @Test
  void rstMidStreamMakesThePeersReadThrow() throws Exception {
    try (TestNet net = new TestNet(14)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s = server.take();
      c.out().write(data(50_000, 1));
      byte[] buf = new byte[1000];
      assertThat(s.in().read(buf)).isPositive();
      s.out().write(new byte[] {1, 2, 3});
      s.abort();
      c.setReadTimeout(10_000);
      // what arrived before the RST is still delivered, then the reset shows
      assertThat(c.in().readNBytes(3)).containsExactly(1, 2, 3);
      assertThatThrownBy(() -> c.in().readAllBytes())
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
      assertThatThrownBy(() -> c.out().write(1)).isInstanceOf(SocketException.class);
      assertThat(c.state()).isEqualTo(TcpState.CLOSED);
      assertThat(net.a.tcpStats().resetsIn()).isEqualTo(1);
    }
  }

  @Test
  void closingWithUnreadDataSendsRst() throws Exception {
    try (TestNet net = new TestNet(15)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s = server.take();
      c.out().write(data(1000, 2));
      assertThat(TestNet.await(() -> available(s) == 1000, Duration.ofSeconds(5))).isTrue();
      s.close(); // 1000 bytes unread: RFC 1122 says reset
      c.setReadTimeout(10_000);
      assertThatThrownBy(() -> c.in().read()).hasMessageContaining("reset");
      assertThat(net.b.tcpStats().resetsOut()).isPositive();
    }
  }

  private static int available(TcpConn c) {
    try {
      return c.in().available();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  @Test
  void halfCloseWorksBothWays() throws Exception {
    try (TestNet net = new TestNet(16)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s = server.take();
      byte[] request = data(20_000, 3);
      writeAll(c, request).get(5, TimeUnit.SECONDS); // ends with shutdownOutput
      assertThat(readHash(s).get(5, TimeUnit.SECONDS)).isEqualTo(sha256(request));
      assertThat(TestNet.await(() -> c.state() == TcpState.FIN_WAIT_2, Duration.ofSeconds(5)))
          .isTrue();
      assertThat(s.state()).isEqualTo(TcpState.CLOSE_WAIT);
      // the server still answers after the client's FIN
      byte[] response = data(300_000, 4);
      writeAll(s, response).get(10, TimeUnit.SECONDS);
      assertThat(readHash(c).get(10, TimeUnit.SECONDS)).isEqualTo(sha256(response));
      assertThat(TestNet.await(() -> c.state() == TcpState.TIME_WAIT, Duration.ofSeconds(5)))
          .isTrue();
      assertThat(TestNet.await(() -> s.state() == TcpState.CLOSED, Duration.ofSeconds(5))).isTrue();
      c.close();
      s.close();

      // and the other way round: the accepted side half-closes first
      TcpConn c2 = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s2 = server.take();
      s2.shutdownOutput();
      c2.setReadTimeout(5000);
      assertThat(c2.in().read()).isEqualTo(-1);
      c2.out().write(new byte[] {9, 8, 7});
      c2.shutdownOutput();
      s2.setReadTimeout(5000);
      assertThat(s2.in().readAllBytes()).containsExactly(9, 8, 7);
      assertThat(TestNet.await(() -> s2.state() == TcpState.TIME_WAIT, Duration.ofSeconds(5)))
          .isTrue();
      assertThat(TestNet.await(() -> c2.state() == TcpState.CLOSED, Duration.ofSeconds(5)))
          .isTrue();
    }
  }

  @Test
  void timeWaitEndsAfterItsTimerAndAPortInTimeWaitCanBeReused() throws Exception {
    StackSettings shortWait = StackSettings.defaults().withTimeWait(Duration.ofMillis(300));
    StackSettings longWait = StackSettings.defaults().withTimeWait(Duration.ofSeconds(60));
    try (TestNet net = new TestNet(17, shortWait, longWait)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      // the server closes first, so it holds TIME-WAIT (60 s here)
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5), 40000);
      TcpConn s = server.take();
      s.close();
      c.setReadTimeout(5000);
      assertThat(c.in().read()).isEqualTo(-1);
      c.close();
      assertThat(TestNet.await(() -> s.state() == TcpState.TIME_WAIT, Duration.ofSeconds(5)))
          .isTrue();
      assertThat(net.b.tcpCount(TcpState.TIME_WAIT)).isEqualTo(1);
      // our side (LAST-ACK until the server's final ACK arrives) must be gone before redialing
      assertThat(TestNet.await(() -> net.a.tcpConnectionCount() == 0, Duration.ofSeconds(5)))
          .isTrue();
      // a new SYN on the same four-tuple with newer timestamps reopens it (RFC 6191)
      TcpConn again = net.a.dialTcp(B, Duration.ofSeconds(5), 40000);
      TcpConn s2 = server.take();
      assertThat(s2).isNotSameAs(s);
      assertThat(s2.remoteAddress()).isEqualTo(again.localAddress());
      writeAll(again, "again".getBytes()).get(5, TimeUnit.SECONDS);
      assertThat(readHash(s2).get(5, TimeUnit.SECONDS)).isEqualTo(sha256("again".getBytes()));
      assertThat(net.b.tcpCount(TcpState.TIME_WAIT)).isZero();

      // the client closes first now: its TIME-WAIT (300 ms) expires and the entry goes away
      again.close();
      s2.setReadTimeout(5000);
      assertThat(s2.in().read()).isEqualTo(-1);
      s2.close();
      assertThat(TestNet.await(() -> again.state() == TcpState.TIME_WAIT, Duration.ofSeconds(5)))
          .isTrue();
      assertThat(TestNet.await(() -> net.a.tcpConnectionCount() == 0, Duration.ofSeconds(10)))
          .isTrue();
      assertThat(again.state()).isEqualTo(TcpState.CLOSED);
    }
  }

  @Test
  void aSynFloodStaysWithinTheHalfOpenCapAndARealClientStillGetsIn() throws Exception {
    StackSettings capped = StackSettings.defaults().withCaps(1000, 64);
    try (TestNet net = new TestNet(18, StackSettings.defaults(), capped)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      Random r = new Random(18);
      int maxSeen = 0;
      for (int i = 0; i < 5000; i++) {
        TcpSegment syn = new TcpSegment();
        syn.srcPort = 1024 + r.nextInt(60000);
        syn.dstPort = 8080;
        syn.seq = r.nextInt();
        syn.flags = TcpSegment.SYN;
        syn.window = 65535;
        syn.mss = 1460;
        byte[] src = {10, 9, (byte) r.nextInt(256), (byte) (1 + r.nextInt(250))};
        byte[] p = syn.build(src, TestNet.ip("10.0.0.2").getAddress());
        net.b.input(p, 0, p.length);
        maxSeen = Math.max(maxSeen, net.b.tcpHalfOpenCount());
      }
      assertThat(maxSeen).isLessThanOrEqualTo(64);
      assertThat(net.b.tcpConnectionCount()).isLessThanOrEqualTo(64);
      assertThat(net.b.tcpStats().synsDropped()).isGreaterThan(4000);
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s = server.take();
      writeAll(c, "still here".getBytes()).get(5, TimeUnit.SECONDS);
      assertThat(readHash(s).get(5, TimeUnit.SECONDS)).isEqualTo(sha256("still here".getBytes()));
    }
  }

  @Test
  void synsCarryMssWindowScaleSackAndTimestampsAndTheMssFollowsTheMtu() throws Exception {
    StackSettings wg = StackSettings.defaults().withMtu(1420);
    try (TestNet net = new TestNet(19, wg, StackSettings.defaults())) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      net.ab.capture = true;
      net.ba.capture = true;
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s = server.take();
      TcpSegment syn = firstTcp(net.ab.captured);
      TcpSegment synAck = firstTcp(net.ba.captured);
      assertThat(syn.flags).isEqualTo(TcpSegment.SYN);
      assertThat(syn.mss).isEqualTo(1420 - 40);
      assertThat(syn.wscale).isEqualTo(7); // 4 MiB receive buffer
      assertThat(syn.sackPermitted).isTrue();
      assertThat(syn.hasTimestamp).isTrue();
      assertThat(synAck.flags).isEqualTo(TcpSegment.SYN | TcpSegment.ACK);
      assertThat(synAck.mss).isEqualTo(1460);
      assertThat(synAck.wscale).isEqualTo(7);
      assertThat(synAck.sackPermitted).isTrue();
      assertThat(synAck.hasTimestamp).isTrue();
      assertThat(synAck.tsEcr).isEqualTo(syn.tsVal);
      // the server may send no more than our MSS: its segments fit a 1420-byte MTU
      writeAll(s, data(100_000, 5)).get(5, TimeUnit.SECONDS);
      readHash(c).get(5, TimeUnit.SECONDS);
      int largest = 0;
      synchronized (net.ba.captured) {
        for (byte[] p : net.ba.captured) {
          largest = Math.max(largest, p.length);
        }
      }
      assertThat(largest).isEqualTo(1420);
      assertThat(c.options()).contains("mss=1380", "wscale=7/7", "sack=true", "ts=true");
    }
  }

  private static TcpSegment firstTcp(List<byte[]> captured) throws Exception {
    List<byte[]> copy;
    synchronized (captured) {
      copy = new ArrayList<>(captured);
    }
    for (byte[] p : copy) {
      if (p[9] == IpPackets.PROTO_TCP) {
        return TcpSegment.parse(p, 20, p.length - 20, p, 12, 16, 4);
      }
    }
    throw new AssertionError("no TCP packet captured");
  }

  @Test
  void blindRstAndSynInsideTheWindowGetAChallengeAckNotAReset() throws Exception {
    try (TestNet net = new TestNet(21)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      net.ab.capture = true;
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s = server.take();
      c.out().write(data(3000, 9));
      s.setReadTimeout(5000);
      s.in().readNBytes(3000);
      TcpSegment last;
      synchronized (net.ab.captured) {
        byte[] p = net.ab.captured.get(net.ab.captured.size() - 1);
        last = TcpSegment.parse(p, 20, p.length - 20, p, 12, 16, 4);
      }
      int next = last.seq + last.dataLen;
      for (int flags : new int[] {TcpSegment.RST, TcpSegment.SYN}) {
        TcpSegment forged = new TcpSegment();
        forged.srcPort = last.srcPort;
        forged.dstPort = last.dstPort;
        forged.seq = next + 1000; // inside the window, but not the exact next sequence number
        forged.flags = flags;
        byte[] p =
            forged.build(TestNet.ip("10.0.0.1").getAddress(), TestNet.ip("10.0.0.2").getAddress());
        net.b.input(p, 0, p.length);
      }
      assertThat(net.b.tcpStats().challengeAcks()).isEqualTo(2);
      assertThat(s.state()).isEqualTo(TcpState.ESTABLISHED);
      writeAll(c, "alive".getBytes()).get(5, TimeUnit.SECONDS);
      assertThat(readHash(s).get(5, TimeUnit.SECONDS)).isEqualTo(sha256("alive".getBytes()));
    }
  }

  @Test
  void simultaneousOpenConnectsBothDialers() throws Exception {
    try (TestNet net = new TestNet(22)) {
      net.ab.delayMillis = 300; // both SYNs are in flight before either arrives
      net.ba.delayMillis = 300;
      InetSocketAddress aEnd = new InetSocketAddress(TestNet.ip("10.0.0.1"), 6000);
      InetSocketAddress bEnd = new InetSocketAddress(TestNet.ip("10.0.0.2"), 5000);
      java.util.concurrent.CompletableFuture<TcpConn> fromB =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
              return net.b.dialTcp(aEnd, Duration.ofSeconds(10), 5000);
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      TcpConn a = net.a.dialTcp(bEnd, Duration.ofSeconds(10), 6000);
      TcpConn b = fromB.get(15, TimeUnit.SECONDS);
      assertThat(a.state()).isEqualTo(TcpState.ESTABLISHED);
      assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
      writeAll(a, "ping".getBytes()).get(10, TimeUnit.SECONDS);
      assertThat(readHash(b).get(10, TimeUnit.SECONDS)).isEqualTo(sha256("ping".getBytes()));
    }
  }

  @Test
  void closedStreamsBehave() throws Exception {
    try (TestNet net = new TestNet(20)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s = server.take();
      s.setReadTimeout(200);
      InputStream in = s.in();
      assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
      c.shutdownOutput();
      assertThatThrownBy(() -> c.out().write(1)).hasMessageContaining("shut down");
      assertThat(in.read()).isEqualTo(-1);
      c.close();
      c.close(); // idempotent
    }
  }

  @Test
  void aRstAfterThePeersFinStillLetsTheReaderDrainItsDataAndSeeEof() throws Exception {
    try (TestNet net = new TestNet(22)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s = server.take();
      byte[] reply = data(30_000, 6);
      writeAll(s, reply).get(5, TimeUnit.SECONDS); // ends with FIN
      assertThat(TestNet.await(() -> c.state() == TcpState.CLOSE_WAIT, Duration.ofSeconds(5)))
          .isTrue();
      s.abort(); // the FIN came first; the RST follows it on the wire
      assertThat(TestNet.await(() -> c.state() == TcpState.CLOSED, Duration.ofSeconds(5))).isTrue();
      // as on Linux: the data, then EOF (not "reset"), since the FIN arrived before the RST
      assertThat(readHash(c).get(5, TimeUnit.SECONDS)).isEqualTo(sha256(reply));
    }
  }

  @Test
  void aRstInTimeWaitIsIgnoredAndTheUnreadDataAndEofStay() throws Exception {
    try (TestNet net = new TestNet(23)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(5));
      TcpConn s = server.take();
      c.shutdownOutput();
      s.setReadTimeout(5000);
      assertThat(s.in().read()).isEqualTo(-1);
      net.ba.capture = true;
      byte[] reply = data(20_000, 7);
      writeAll(s, reply).get(5, TimeUnit.SECONDS);
      assertThat(TestNet.await(() -> c.state() == TcpState.TIME_WAIT, Duration.ofSeconds(5)))
          .isTrue();
      assertThat(TestNet.await(() -> s.state() == TcpState.CLOSED, Duration.ofSeconds(5))).isTrue();
      // what a peer that already closed answers to a late ACK: a RST at our RCV.NXT
      TcpSegment fin = lastWithFin(net.ba.captured);
      TcpSegment rst = new TcpSegment();
      rst.srcPort = fin.srcPort;
      rst.dstPort = fin.dstPort;
      rst.seq = fin.seq + fin.dataLen + 1;
      rst.flags = TcpSegment.RST;
      byte[] p =
          rst.build(TestNet.ip("10.0.0.2").getAddress(), TestNet.ip("10.0.0.1").getAddress());
      net.a.input(p, 0, p.length);
      assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT); // RFC 1337
      assertThat(readHash(c).get(5, TimeUnit.SECONDS)).isEqualTo(sha256(reply));
    }
  }

  private static TcpSegment lastWithFin(List<byte[]> captured) throws Exception {
    List<byte[]> copy;
    synchronized (captured) {
      copy = new ArrayList<>(captured);
    }
    for (byte[] p : copy.reversed()) {
      if (p[9] == IpPackets.PROTO_TCP) {
        TcpSegment seg = TcpSegment.parse(p, 20, p.length - 20, p, 12, 16, 4);
        if (seg.has(TcpSegment.FIN)) {
          return seg;
        }
      }
    }
    throw new AssertionError("no FIN captured");
  }
}
