package dev.umbra.netstack;

import static dev.umbra.netstack.TcpTestSupport.readHash;
import static dev.umbra.netstack.TcpTestSupport.sha256;
import static dev.umbra.netstack.TcpTestSupport.writeAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Well-formed but hostile segments on a live connection's four-tuple: random flags, sequence and
 * acknowledgment numbers near and far from the window, windows, options and payloads. Nothing may
 * escape {@code input()}; the connection either survives (and still carries data) or ends cleanly.
 */
class TcpFuzzTest {

  @Property(tries = 25)
  void randomSegmentsOnALiveConnectionNeverBreakTheStack(@ForAll long seed) throws Exception {
    try (TestNet net = new TestNet(seed)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      net.ab.capture = true;
      TcpConn c =
          net.a.dialTcp(new InetSocketAddress(TestNet.ip("10.0.0.2"), 80), Duration.ofSeconds(5));
      TcpConn s = server.take();
      c.out().write(new byte[2000]);
      s.setReadTimeout(5000);
      s.in().readNBytes(2000);
      byte[] last;
      synchronized (net.ab.captured) {
        last = net.ab.captured.get(net.ab.captured.size() - 1);
      }
      TcpSegment seen = TcpSegment.parse(last, 20, last.length - 20, last, 12, 16, 4);
      Random r = new Random(seed);
      byte[] src = TestNet.ip("10.0.0.1").getAddress();
      byte[] dst = TestNet.ip("10.0.0.2").getAddress();
      for (int i = 0; i < 200; i++) {
        TcpSegment f = new TcpSegment();
        f.srcPort = seen.srcPort;
        f.dstPort = seen.dstPort;
        f.seq =
            seen.seq
                + seen.dataLen
                + (r.nextBoolean() ? r.nextInt(200_000) - 100_000 : r.nextInt());
        f.ack = seen.ack + (r.nextBoolean() ? r.nextInt(20_000) - 10_000 : r.nextInt());
        f.flags = r.nextInt(64) & ~TcpSegment.RST | (r.nextInt(20) == 0 ? TcpSegment.RST : 0);
        f.window = r.nextInt(65536);
        f.hasTimestamp = r.nextBoolean();
        f.tsVal = seen.tsVal + r.nextInt(2000) - 1000;
        f.tsEcr = seen.tsEcr + r.nextInt(2000) - 1000;
        f.sackCount = r.nextInt(f.hasTimestamp ? 4 : 5);
        for (int k = 0; k < 2 * f.sackCount; k++) {
          f.sack[k] = seen.ack + r.nextInt(40_000) - 20_000;
        }
        if ((f.flags & TcpSegment.SYN) != 0) {
          f.mss = r.nextInt(70000) & 0xffff;
          f.wscale = r.nextInt(16);
          f.sackPermitted = r.nextBoolean();
          f.sackCount = 0;
        }
        byte[] payload = new byte[r.nextInt(3) == 0 ? r.nextInt(1400) : 0];
        f.data = payload;
        f.dataLen = payload.length;
        byte[] p = f.build(src, dst);
        net.b.input(p, 0, p.length);
      }
      assertThat(net.b.tcpStats().internalErrors()).isZero();
      TcpState after = s.state();
      if (after == TcpState.ESTABLISHED || after == TcpState.CLOSE_WAIT) {
        // the forged data may have been taken as the peer's; still, the stack must keep working
        TcpConn c2 =
            net.a.dialTcp(new InetSocketAddress(TestNet.ip("10.0.0.2"), 81), Duration.ofSeconds(5));
        TcpConn s2 = server.take();
        writeAll(c2, "ok".getBytes()).get(10, TimeUnit.SECONDS);
        assertThat(readHash(s2).get(10, TimeUnit.SECONDS)).isEqualTo(sha256("ok".getBytes()));
      }
      assertThat(net.b.tcpConnectionCount()).isLessThanOrEqualTo(3);
    }
  }
}
