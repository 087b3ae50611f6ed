package dev.umbra.netstack;

import static dev.umbra.netstack.TcpTestSupport.readHash;
import static dev.umbra.netstack.TcpTestSupport.writeStream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TCP transfers through a link that drops, duplicates, reorders and delays packets, checked by
 * SHA-256; assertions on the stack's counters show which recovery mechanism ran.
 */
class TcpImpairmentTest {
  private static final int SIZE = 3 << 20;

  private static final InetSocketAddress B = new InetSocketAddress(TestNet.ip("10.0.0.2"), 443);

  /** Sends SIZE bytes from a to b, checks the hash; returns the (closed) client connection. */
  private static TcpConn transfer(TestNet net) throws Exception {
    TcpTestSupport.Collector server = new TcpTestSupport.Collector();
    net.b.serveTcp(server);
    TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(20));
    TcpConn s = server.take();
    CompletableFuture<String> sent = writeStream(c, SIZE, 42);
    CompletableFuture<String> got = readHash(s);
    assertThat(got.get(60, TimeUnit.SECONDS)).isEqualTo(sent.get(60, TimeUnit.SECONDS));
    c.close();
    s.close();
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"clean", "drop", "duplicate", "reorder", "delay", "all"})
  void transfersIntactUnder(String impairment) throws Exception {
    try (TestNet net = new TestNet(impairment.hashCode())) {
      for (TestNet.Pipe p : new TestNet.Pipe[] {net.ab, net.ba}) {
        switch (impairment) {
          case "drop" -> p.drop = 0.02;
          case "duplicate" -> p.duplicate = 0.05;
          case "reorder" -> p.reorder = 0.05;
          case "delay" -> p.delayMillis = 5;
          case "all" -> {
            p.drop = 0.01;
            p.duplicate = 0.02;
            p.reorder = 0.03;
            p.delayMillis = 2;
          }
          default -> {}
        }
      }
      transfer(net);
      TcpStats sa = net.a.tcpStats();
      TcpStats sb = net.b.tcpStats();
      switch (impairment) {
        case "drop" -> assertThat(sa.retransmits()).isPositive();
        case "reorder" -> assertThat(sb.outOfOrder()).isPositive();
        case "duplicate" -> assertThat(sa.dupAcks() + sb.dupAcks()).isPositive();
        default -> {}
      }
    }
  }

  @Test
  void aLostSegmentInAFullWindowIsFastRetransmittedWithSack() throws Exception {
    try (TestNet net = new TestNet(3)) {
      AtomicInteger dataSegments = new AtomicInteger();
      net.ab.dropIf = p -> isData(p) && dataSegments.incrementAndGet() == 300;
      transfer(net);
      TcpStats sa = net.a.tcpStats();
      assertThat(sa.fastRetransmits()).as(sa.toString()).isPositive();
      assertThat(sa.dupAcks()).isGreaterThanOrEqualTo(3);
      assertThat(sa.sackBlocksIn()).isPositive();
      assertThat(net.b.tcpStats().outOfOrder()).isPositive();
    }
  }

  @Test
  void withoutSackOrTimestampsNewRenoRecoversAndKarnTimesTheRtt() throws Exception {
    try (TestNet net = new TestNet(7)) {
      // a middlebox strips SACK-permitted (4) and timestamps (8) from both SYNs
      net.ab.rewrite = TestNet.stripSynOptions(4, 8);
      net.ba.rewrite = TestNet.stripSynOptions(4, 8);
      AtomicInteger dataSegments = new AtomicInteger();
      net.ab.dropIf =
          p -> isData(p) && (dataSegments.incrementAndGet() == 300 || dataSegments.get() == 302);
      net.ab.drop = 0.005;
      TcpConn c = transfer(net);
      assertThat(c.options()).contains("sack=false", "ts=false");
      TcpStats sa = net.a.tcpStats();
      assertThat(sa.fastRetransmits()).as(sa.toString()).isPositive();
      assertThat(sa.sackBlocksIn()).isZero();
    }
  }

  @Test
  void aBlackoutIsRepairedByTheRetransmissionTimer() throws Exception {
    try (TestNet net = new TestNet(4)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(20));
      TcpConn s = server.take();
      AtomicBoolean blackout = new AtomicBoolean(true);
      net.ab.dropIf = p -> blackout.get();
      CompletableFuture<String> sent = writeStream(c, 200_000, 5);
      CompletableFuture<String> got = readHash(s);
      assertThat(TestNet.await(() -> net.a.tcpStats().timeouts() >= 2, Duration.ofSeconds(20)))
          .isTrue();
      blackout.set(false);
      assertThat(got.get(60, TimeUnit.SECONDS)).isEqualTo(sent.get(60, TimeUnit.SECONDS));
      assertThat(net.a.tcpStats().retransmits()).isPositive();
    }
  }

  @Test
  void aStalledReaderClosesTheWindowAndThePersistTimerProbesUntilItOpens() throws Exception {
    StackSettings small = StackSettings.defaults().withBuffers(64 * 1024, 64 * 1024);
    try (TestNet net = new TestNet(5, small, small)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      TcpConn c = net.a.dialTcp(B, Duration.ofSeconds(20));
      TcpConn s = server.take();
      // the window update that reopens the window is lost once, so only a probe can find it
      CompletableFuture<String> sent = writeStream(c, 1 << 20, 6);
      assertThat(TestNet.await(() -> net.a.tcpStats().persistProbes() >= 2, Duration.ofSeconds(30)))
          .as(net.a.tcpStats().toString())
          .isTrue();
      assertThat(sent).isNotDone();
      AtomicBoolean dropUpdate = new AtomicBoolean(true);
      net.ba.dropIf = p -> dropUpdate.getAndSet(false);
      InputStream in = s.in();
      assertThat(in.available()).isEqualTo(64 * 1024);
      assertThat(readHash(s).get(60, TimeUnit.SECONDS)).isEqualTo(sent.get(60, TimeUnit.SECONDS));
    }
  }

  /** A TCP segment (v4) with payload, from the test link's bytes. */
  static boolean isData(byte[] p) {
    if ((p[0] >> 4) != 4 || p[9] != IpPackets.PROTO_TCP) {
      return false;
    }
    int ihl = (p[0] & 0xf) * 4;
    int doff = ((p[ihl + 12] >> 4) & 0xf) * 4;
    return IpPackets.u16(p, 2) - ihl - doff > 0;
  }
}
