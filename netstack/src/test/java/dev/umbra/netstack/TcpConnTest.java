package dev.umbra.netstack;

import static dev.umbra.netstack.TcpTestSupport.data;
import static dev.umbra.netstack.TcpTestSupport.readHash;
import static dev.umbra.netstack.TcpTestSupport.sha256;
import static dev.umbra.netstack.TcpTestSupport.writeAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Basic TCP between two stacks on a clean in-memory link. */
class TcpConnTest {

  @Test
  void dialsEchoesAndClosesOverIpv4AndIpv6() throws Exception {
    try (TestNet net = new TestNet(1)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      for (String dst : new String[] {"10.0.0.2", "fd00::2"}) {
        TcpConn c =
            net.a.dialTcp(new InetSocketAddress(TestNet.ip(dst), 80), Duration.ofSeconds(5));
        TcpConn s = server.take();
        assertThat(s.localAddress()).isEqualTo(new InetSocketAddress(TestNet.ip(dst), 80));
        assertThat(s.remoteAddress()).isEqualTo(c.localAddress());
        byte[] msg = data(100_000, 7);
        writeAll(c, msg).get(20, TimeUnit.SECONDS);
        assertThat(readHash(s).get(20, TimeUnit.SECONDS)).isEqualTo(sha256(msg));
        writeAll(s, msg).get(20, TimeUnit.SECONDS);
        assertThat(readHash(c).get(20, TimeUnit.SECONDS)).isEqualTo(sha256(msg));
        c.close();
        s.close();
        assertThat(
                TestNet.await(
                    () -> c.state() == TcpState.TIME_WAIT && s.state() == TcpState.CLOSED,
                    Duration.ofSeconds(10)))
            .as("client %s server %s", c.state(), s.state())
            .isTrue();
        InputStream in = c.in();
        assertThat(c.options()).contains("sack=true").contains("ts=true").contains("wscale=7/7");
        assertThat(in).isNotNull();
      }
    }
  }
}
