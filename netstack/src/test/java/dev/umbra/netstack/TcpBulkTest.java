package dev.umbra.netstack;

import static dev.umbra.netstack.TcpTestSupport.readHash;
import static dev.umbra.netstack.TcpTestSupport.writeStream;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One large transfer over the clean link, checked by hash (the 100 MiB). */
class TcpBulkTest {

  @Test
  void hundredMebibytesArriveIntact() throws Exception {
    try (TestNet net = new TestNet(100)) {
      TcpTestSupport.Collector server = new TcpTestSupport.Collector();
      net.b.serveTcp(server);
      TcpConn c =
          net.a.dialTcp(
              new InetSocketAddress(TestNet.ip("10.0.0.2"), 5201), Duration.ofSeconds(10));
      TcpConn s = server.take();
      long start = System.nanoTime();
      CompletableFuture<String> sent = writeStream(c, 100L << 20, 100);
      CompletableFuture<String> got = readHash(s);
      assertThat(got.get(120, TimeUnit.SECONDS)).isEqualTo(sent.get(120, TimeUnit.SECONDS));
      long ms = (System.nanoTime() - start) / 1_000_000;
      System.out.printf(
          "100 MiB in %d ms (%.0f Mbit/s), %s%n",
          ms, 100 * 8 * 1.048576 * 1000 / Math.max(1, ms), net.a.tcpStats());
    }
  }
}
