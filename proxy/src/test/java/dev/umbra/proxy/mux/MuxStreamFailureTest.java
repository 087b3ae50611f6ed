package dev.umbra.proxy.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.Pipe;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A failed stream fails alone; a broken carrier fails every stream of its session and the next
 * stream opens a new session (sing-mux's behaviour), for each protocol. Client and server are our
 * {@link MuxClient} and {@link MuxServer} over in-memory carriers.
 */
class MuxStreamFailureTest {
  /** Destination port the test router refuses, as a server whose target refuses. */
  private static final int REFUSED = 1;

  /** Destination port whose stream sends a few bytes, then waits until the client closes it. */
  private static final int HOLD = 2;

  /** Other ports: the stream sends {@code port * 1024} bytes of {@link #payload}. */
  private static byte[] payload(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  /** A router that refuses, holds or sends, as the destination port says. */
  private static final Router ROUTER =
      new Router() {
        @Override
        public void routeConnection(Conn c, Metadata m, Handshake h) {
          try (c) {
            int port = m.destination().port();
            if (port == REFUSED) {
              h.fail(new ConnectException("connection refused"));
              return;
            }
            h.succeed();
            if (port == HOLD) {
              c.out().write("hold".getBytes());
              c.out().flush();
              c.in().transferTo(java.io.OutputStream.nullOutputStream());
              return;
            }
            byte[] data = payload(port * 1024);
            for (int off = 0; off < data.length; off += 16 * 1024) {
              c.out().write(data, off, Math.min(16 * 1024, data.length - off));
            }
            c.out().flush();
            c.shutdownOutput();
            c.in().transferTo(java.io.OutputStream.nullOutputStream());
          } catch (IOException e) {
            // the stream went away (a test breaks carriers on purpose)
          }
        }

        @Override
        public void routePackets(PacketConn c, Metadata m, Handshake h) {}
      };

  /** A client whose carriers are in-memory pipes served by a {@link MuxServer}. */
  private static final class Rig implements AutoCloseable {
    final MuxServer server =
        MuxServer.create("srv", new MultiplexInboundOptions(true, false, null));
    final List<Conn> serverEnds = new CopyOnWriteArrayList<>();
    final AtomicInteger carriers = new AtomicInteger();
    final MuxClient client;

    Rig(String protocol, Integer maxConnections, Integer minStreams) {
      Metadata m =
          Metadata.of(
              "srv",
              "vmess",
              Network.TCP,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 1),
              SingMux.DESTINATION);
      client =
          MuxClient.create(
              "cli",
              new MultiplexOutboundOptions(
                  true, protocol, maxConnections, minStreams, null, false, null),
              () -> {
                Conn[] p = Pipe.create();
                carriers.incrementAndGet();
                serverEnds.add(p[1]);
                Thread.ofVirtual().start(() -> server.serve(p[1], m, ROUTER));
                return p[0];
              });
    }

    Conn dial(int port) throws IOException {
      Conn c = client.dial(new Destination.Ip(InetAddress.getLoopbackAddress(), port));
      c.setReadTimeout(20_000);
      return c;
    }

    @Override
    public void close() {
      client.close();
      server.close();
    }
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2mux", "smux", "yamux"})
  void aRefusedStreamFailsAloneAndItsNeighbourKeepsTransferring(String protocol) throws Exception {
    try (Rig rig = new Rig(protocol, 1, 100)) {
      int size = 2048 * 1024;
      Conn a = rig.dial(2048);
      // A is read as it arrives (smux has no per-stream flow control: an unread stream would hold
      // the whole session, as in smux itself)
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<byte[]> aHash = new CompletableFuture<>();
      Thread.ofVirtual()
          .start(() -> {
            try {
              MessageDigest sha = MessageDigest.getInstance("SHA-256");
              byte[] buf = new byte[8192];
              long total = 0;
              for (int n; (n = a.in().read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                total += n;
                if (total >= size / 4) {
                  started.countDown();
                }
              }
              aHash.complete(sha.digest());
            } catch (Exception e) {
              aHash.completeExceptionally(e);
            }
          });
      assertThat(started.await(20, TimeUnit.SECONDS)).as("A is transferring").isTrue();

      // B goes to the same session and is refused by the server's router
      Conn b = rig.dial(REFUSED);
      assertThatThrownBy(() -> b.in().read())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("connection refused");
      b.close();
      assertThat(rig.carriers.get()).as("B shared A's session").isEqualTo(1);

      // A goes on to the end, intact
      assertThat(aHash.get(30, TimeUnit.SECONDS)).isEqualTo(sha256(payload(size)));
      a.close();

      // and the session still takes streams
      Conn c = rig.dial(64);
      assertThat(sha256(c.in().readAllBytes())).isEqualTo(sha256(payload(64 * 1024)));
      c.close();
      assertThat(rig.carriers.get()).isEqualTo(1);
      assertThat(rig.client.sessionCount()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2mux", "smux", "yamux"})
  void aBrokenCarrierFailsItsStreamsAndTheNextStreamOpensANewSession(String protocol)
      throws Exception {
    try (Rig rig = new Rig(protocol, 1, 100)) {
      List<Conn> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Conn c = rig.dial(HOLD);
        assertThat(new String(c.in().readNBytes(4))).isEqualTo("hold");
        held.add(c);
      }
      assertThat(rig.carriers.get()).isEqualTo(1);

      rig.serverEnds.getFirst().close(); // the carrier dies under the session
      for (Conn c : held) {
        assertThatThrownBy(() -> c.in().read())
            .as("a stream of the broken session")
            .isInstanceOf(IOException.class)
            .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
        c.close();
      }

      Conn next = rig.dial(32);
      assertThat(sha256(next.in().readAllBytes())).isEqualTo(sha256(payload(32 * 1024)));
      next.close();
      assertThat(rig.carriers.get()).as("a new session for the next stream").isEqualTo(2);
      assertThat(rig.client.sessionCount()).isEqualTo(1);
    }
  }

  /**
   * h2mux: a session at the server's concurrent-stream limit (HTTP/2 SETTINGS) takes no more
   * streams; the next stream goes to a new session, even at max_connections (sing-mux's
   * CanTakeNewRequest), and no stream of the full session is disturbed.
   */
  @Test
  void aBurstOfClosedStreamsLeavesTheH2muxSessionUp() throws Exception {
    try (Rig rig = new Rig("h2mux", 1, 10_000)) {
      Conn kept = rig.dial(HOLD);
      assertThat(new String(kept.in().readNBytes(4))).isEqualTo("hold");
      // 300 streams opened and reset at once, 100 at a time (under the stream limit)
      for (int round = 0; round < 3; round++) {
        List<Conn> burst = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          burst.add(rig.dial(HOLD));
        }
        for (Conn c : burst) {
          c.close();
        }
      }
      kept.out().write("x".getBytes());
      kept.out().flush();
      Conn next = rig.dial(HOLD);
      assertThat(new String(next.in().readNBytes(4))).isEqualTo("hold");
      assertThat(rig.carriers.get()).as("still the first session").isEqualTo(1);
      next.close();
      kept.close();
    }
  }

  @Test
  void aFullH2muxSessionIsPassedOverNotClosed() throws Exception {
    try (Rig rig = new Rig("h2mux", 1, 10_000)) {
      List<Conn> held = new ArrayList<>();
      for (int i = 0; i < 140; i++) {
        Conn c = rig.dial(HOLD);
        try {
          assertThat(new String(c.in().readNBytes(4))).isEqualTo("hold");
        } catch (IOException e) {
          throw new AssertionError("stream " + i + " carriers " + rig.carriers.get(), e);
        }
        held.add(c);
      }
      assertThat(rig.carriers.get()).as("a second session once the first was full").isEqualTo(2);
      assertThat(rig.client.sessionCount()).isEqualTo(2);
      for (Conn c : held) {
        c.out().write("x".getBytes());
        c.out().flush();
        c.close();
      }
    }
  }
}
