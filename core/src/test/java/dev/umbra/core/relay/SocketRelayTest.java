package dev.umbra.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.SocketConn;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The relay between two real TCP sockets, where bulk transfers move inside the kernel (splice) when
 * the JVM allows it, as in the test JVM and the launcher.
 */
@org.junit.jupiter.api.Timeout(120)
class SocketRelayTest {
  private static final int SIZE = 48 << 20;

  /** A connected pair of sockets over loopback: [our end, the other end]. */
  private static Socket[] socketPair(ServerSocketChannel server) throws Exception {
    SocketChannel a = SocketChannel.open(server.getLocalAddress());
    SocketChannel b = server.accept();
    return new Socket[] {a.socket(), b.socket()};
  }

  @Test
  void spliceIsAvailableInTheTestJvm() {
    assertThat(LinuxSplice.get()).isPresent();
  }

  @Test
  void bulkBothWaysArrivesIntactWithHalfCloseAndCounts() throws Exception {
    try (ServerSocketChannel server =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      Socket[] client = socketPair(server);
      Socket[] remote = socketPair(server);
      RelayTest.Counter counter = new RelayTest.Counter();
      long splicedBefore = SpliceCopy.splicedBytes();
      Conn relayClient = new SocketConn(client[1]);
      Conn relayRemote = new SocketConn(remote[0]);
      Future<?> relay =
          pool.submit(() ->
              Relay.pipe(relayClient, relayRemote, new Relay.Options(null, List.of(counter))));

      byte[] up = random(SIZE, 1);
      byte[] down = random(SIZE / 2, 2);
      Future<byte[]> atRemote = pool.submit(() -> readAll(remote[1].getInputStream()));
      Future<byte[]> atClient = pool.submit(() -> readAll(client[0].getInputStream()));
      Future<?> sendUp = pool.submit(() -> writeThenHalfClose(client[0], up));
      Future<?> sendDown = pool.submit(() -> writeThenHalfClose(remote[1], down));

      sendUp.get(60, java.util.concurrent.TimeUnit.SECONDS);
      sendDown.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(sha256(atRemote.get(60, java.util.concurrent.TimeUnit.SECONDS)))
          .isEqualTo(sha256(up));
      assertThat(sha256(atClient.get(60, java.util.concurrent.TimeUnit.SECONDS)))
          .isEqualTo(sha256(down));
      relay.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(counter.up.get()).isEqualTo(up.length);
      assertThat(counter.down.get()).isEqualTo(down.length);
      // all but the first small buffer of each direction went through the kernel
      assertThat(SpliceCopy.splicedBytes() - splicedBefore)
          .isGreaterThan(up.length + down.length - 64 * 1024L);
      client[0].close();
      remote[1].close();
    }
  }

  @Test
  void aPeerResetMidTransferEndsBothSides() throws Exception {
    try (ServerSocketChannel server =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      Socket[] client = socketPair(server);
      Socket[] remote = socketPair(server);
      Conn relayClient = new SocketConn(client[1]);
      Conn relayRemote = new SocketConn(remote[0]);
      Future<?> relay =
          pool.submit(() -> Relay.pipe(relayClient, relayRemote, Relay.Options.DEFAULT));
      // the client sends in bulk; the remote reads a little and then resets
      pool.submit(() -> writeThenHalfClose(client[0], random(SIZE, 3)));
      remote[1].getInputStream().readNBytes(1 << 20);
      remote[1].setSoLinger(true, 0);
      remote[1].close();
      relay.get(10, java.util.concurrent.TimeUnit.SECONDS);
      // the client sees the end too, instead of hanging
      client[0].setSoTimeout((int) Duration.ofSeconds(10).toMillis());
      InputStream in = client[0].getInputStream();
      try {
        assertThat(in.read()).isEqualTo(-1);
      } catch (java.net.SocketException reset) {
        // a reset is an end as well
      }
      client[0].close();
    }
  }

  @Test
  void closingTheConnsFromOutsideStopsABulkTransfer() throws Exception {
    try (ServerSocketChannel server =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      Socket[] client = socketPair(server);
      Socket[] remote = socketPair(server);
      Conn relayClient = new SocketConn(client[1]);
      Conn relayRemote = new SocketConn(remote[0]);
      Future<?> relay =
          pool.submit(() -> Relay.pipe(relayClient, relayRemote, Relay.Options.DEFAULT));
      long splicedBefore = SpliceCopy.splicedBytes();
      // an endless sender: only the close can end this transfer
      pool.submit(() -> {
        byte[] chunk = new byte[100_000];
        try (OutputStream out = client[0].getOutputStream()) {
          while (true) {
            out.write(chunk);
          }
        } catch (java.io.IOException expected) {
          return null;
        }
      });
      Future<Long> received =
          pool.submit(() -> {
            long total = 0;
            byte[] buf = new byte[65536];
            try {
              for (int n; (n = remote[1].getInputStream().read(buf)) >= 0; ) {
                total += n;
              }
            } catch (java.io.IOException reset) {
              // an abort is an end too
            }
            return total;
          });
      while (SpliceCopy.splicedBytes() - splicedBefore < (8 << 20)) {
        Thread.sleep(10); // bounded by the class's @Timeout
        assertThat(relay.isDone()).isFalse();
      }
      // what a connection tracker or a group switch does
      relayClient.close();
      relayRemote.close();
      relay.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(received.get(10, java.util.concurrent.TimeUnit.SECONDS)).isPositive();
      client[0].close();
      remote[1].close();
    }
  }

  private static Void writeThenHalfClose(Socket s, byte[] data) throws Exception {
    OutputStream out = s.getOutputStream();
    try {
      for (int off = 0; off < data.length; off += 100_000) {
        out.write(data, off, Math.min(100_000, data.length - off));
      }
      s.shutdownOutput();
    } catch (java.io.IOException e) {
      // the reset test ends the stream from the other side
    }
    return null;
  }

  private static byte[] readAll(InputStream in) throws Exception {
    return in.readAllBytes();
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
