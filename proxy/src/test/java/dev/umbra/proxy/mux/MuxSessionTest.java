package dev.umbra.proxy.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Pipe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** smux and yamux sessions over an in-memory pipe: many streams, flow control, hostile frames. */
class MuxSessionTest {
  private static final HexFormat HEX = HexFormat.of();

  private static MuxSession session(String protocol, Conn c, boolean client) {
    return (protocol.equals("smux") ? new SmuxSession(c, client) : new YamuxSession(c, client))
        .start();
  }

  /** Echoes every stream the session accepts until it closes. */
  private static void echoServer(MuxSession server) {
    Thread.ofVirtual()
        .start(() -> {
          try {
            while (true) {
              MuxStream s = server.accept();
              Thread.ofVirtual()
                  .start(() -> {
                    try (s) {
                      s.in().transferTo(s.out());
                      s.shutdownOutput();
                    } catch (IOException e) {
                      // the test's assertions report it
                    }
                  });
            }
          } catch (IOException e) {
            // session closed
          }
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"smux", "yamux"})
  void manyStreamsEchoLargeAndSmall(String protocol) throws Exception {
    Conn[] p = Pipe.create();
    MuxSession client = session(protocol, p[0], true);
    MuxSession server = session(protocol, p[1], false);
    echoServer(server);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        // a few streams well beyond yamux's 256 KiB window, to need window updates
        int size = i % 10 == 0 ? 1024 * 1024 + i : 100 + i * 997;
        all.add(pool.submit(() -> roundTrip(client, size)));
      }
      for (Future<?> f : all) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
    assertThat(client.isClosed()).isFalse();
    client.close();
  }

  private static Void roundTrip(MuxSession client, int size) throws Exception {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    MuxStream s = client.open();
    s.setReadTimeout(30_000);
    Thread w =
        Thread.ofVirtual()
            .start(() -> {
              try {
                s.out().write(data);
                s.shutdownOutput();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    byte[] got = s.in().readAllBytes();
    w.join(30_000);
    s.close();
    assertThat(got).isEqualTo(data);
    return null;
  }

  /** Waits (bounded) until the session has closed itself. */
  private static void awaitClosed(MuxSession s) throws InterruptedException {
    for (int i = 0; i < 100 && !s.isClosed(); i++) {
      Thread.sleep(50);
    }
    assertThat(s.isClosed()).as("session closed itself").isTrue();
  }

  private static void writeAsync(OutputStream out, byte[]... parts) {
    Thread.ofVirtual()
        .start(() -> {
          try {
            for (byte[] b : parts) {
              out.write(b);
            }
            out.flush();
          } catch (IOException e) {
            // the session closed under us, as expected
          }
        });
  }

  @Test
  void yamuxWindowViolationClosesOnlyThatSession() throws Exception {
    Conn[] bad = Pipe.create();
    MuxSession victim = session("yamux", bad[1], false);
    Conn[] good = Pipe.create();
    MuxSession goodClient = session("yamux", good[0], true);
    echoServer(session("yamux", good[1], false));
    MuxStream open = goodClient.open();

    // stream 1 opened, then 300 KiB of data into a 256 KiB window
    writeAsync(
        bad[0].out(),
        HEX.parseHex("000100010000000100000000"),
        HEX.parseHex("0000000000000001" + "0004b000"),
        new byte[300 * 1024]);
    awaitClosed(victim);
    assertThatThrownBy(victim::accept).isInstanceOf(IOException.class);

    open.out().write("still here".getBytes());
    open.shutdownOutput();
    open.setReadTimeout(10_000);
    assertThat(new String(open.in().readAllBytes())).isEqualTo("still here");
  }

  @Test
  void yamuxStreamFromTheWrongSideOrTwiceClosesTheSession() throws Exception {
    Conn[] a = Pipe.create();
    MuxSession s1 = session("yamux", a[1], false);
    writeAsync(a[0].out(), HEX.parseHex("000100010000000200000000")); // even id from a client
    awaitClosed(s1);

    Conn[] b = Pipe.create();
    MuxSession s2 = session("yamux", b[1], false);
    writeAsync(
        b[0].out(),
        HEX.parseHex("000100010000000300000000"),
        HEX.parseHex("000100010000000300000000"));
    awaitClosed(s2);

    Conn[] c = Pipe.create();
    MuxSession s3 = session("yamux", c[1], false);
    writeAsync(c[0].out(), HEX.parseHex("010000000000000100000000")); // version 1
    awaitClosed(s3);
  }

  @Test
  void yamuxStreamLeftUnansweredClosesTheSession() throws Exception {
    Conn[] p = Pipe.create();
    MuxSession client = new YamuxSession(p[0], true, Duration.ofMillis(300)).start();
    // a peer that reads the SYN and never answers it
    Thread.ofVirtual()
        .start(() -> {
          try {
            p[1].in().transferTo(OutputStream.nullOutputStream());
          } catch (IOException e) {
            // the client closed the pipe
          }
        });
    MuxStream s = client.open();
    awaitClosed(client);
    s.setReadTimeout(10_000);
    assertThatThrownBy(() -> s.in().read()).isInstanceOf(IOException.class);
  }

  @Test
  void yamuxStreamsAnsweredInTimeKeepTheSession() throws Exception {
    Conn[] p = Pipe.create();
    MuxSession client = new YamuxSession(p[0], true, Duration.ofMillis(300)).start();
    echoServer(session("yamux", p[1], false));
    MuxStream first = client.open();
    first.setReadTimeout(10_000);
    first.out().write('a');
    assertThat(first.in().read()).isEqualTo('a');
    Thread.sleep(1_000); // well past the open timeout
    assertThat(client.isClosed()).isFalse();
    MuxStream second = client.open();
    second.out().write("b".getBytes());
    second.shutdownOutput();
    second.setReadTimeout(10_000);
    assertThat(new String(second.in().readAllBytes())).isEqualTo("b");
    client.close();
  }

  @Test
  void yamuxAnswersPings() throws Exception {
    Conn[] p = Pipe.create();
    MuxSession s = session("yamux", p[1], false);
    p[0].out().write(HEX.parseHex("00020001000000000000abcd"));
    p[0].out().flush();
    p[0].setReadTimeout(10_000);
    byte[] reply = new byte[12];
    new java.io.DataInputStream(p[0].in()).readFully(reply);
    assertThat(HEX.formatHex(reply)).isEqualTo("00020002000000000000abcd");
    s.close();
  }

  @Test
  void smuxHostileFramesCloseTheSession() throws Exception {
    // version 2 header in a version 1 session
    Conn[] a = Pipe.create();
    MuxSession s1 = session("smux", a[1], false);
    writeAsync(a[0].out(), HEX.parseHex("0200000003000000"));
    awaitClosed(s1);
    // unknown command
    Conn[] b = Pipe.create();
    MuxSession s2 = session("smux", b[1], false);
    writeAsync(b[0].out(), HEX.parseHex("0109000003000000"));
    awaitClosed(s2);
    // window update (a version 2 command)
    Conn[] c = Pipe.create();
    MuxSession s3 = session("smux", c[1], false);
    writeAsync(c[0].out(), HEX.parseHex("0104080003000000"), new byte[8]);
    awaitClosed(s3);
    // SYN for an even (server-side) id from a client
    Conn[] d = Pipe.create();
    MuxSession s4 = session("smux", d[1], false);
    writeAsync(d[0].out(), HEX.parseHex("0100000002000000"));
    awaitClosed(s4);
  }

  @Test
  void smuxDataForClosedStreamsIsDroppedButNeverOpenedOnesCloseTheSession() throws Exception {
    Conn[] p = Pipe.create();
    MuxSession server = session("smux", p[1], false);
    OutputStream out = p[0].out();
    // SYN 3, FIN 3 (both sides done once the server closes it), then late data for 3: dropped
    out.write(HEX.parseHex("0100000003000000"));
    out.flush();
    MuxStream closedOne = server.accept();
    closedOne.close();
    out.write(HEX.parseHex("0102030003000000616263"));
    // SYN 5 and data for 5
    out.write(HEX.parseHex("0100000005000000"));
    out.write(HEX.parseHex("0102020005000000" + "6f6b"));
    out.flush();
    MuxStream s = server.accept();
    s.setReadTimeout(10_000);
    InputStream in = s.in();
    assertThat(new String(in.readNBytes(2))).isEqualTo("ok");
    assertThat(server.isClosed()).isFalse();

    // data for stream 9, which the client never opened: a protocol violation
    out.write(HEX.parseHex("0102030009000000616263"));
    out.flush();
    awaitClosed(server);
  }
}
