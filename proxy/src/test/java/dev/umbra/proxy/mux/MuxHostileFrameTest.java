package dev.umbra.proxy.mux;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.Pipe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * Hostile frames on one session of a {@link MuxServer} (a stream id never opened, a frame larger
 * than allowed, a flow-control window pushed past its limit) close that session, with a log line
 * saying why; a well-behaved session of the same server goes on transferring.
 */
class MuxHostileFrameTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final int SIZE = 1024 * 1024;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger umbra = (Logger) LoggerFactory.getLogger("dev.umbra");

  @BeforeEach
  void captureLogs() {
    logs.start();
    umbra.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    umbra.detachAppender(logs);
  }

  private static byte[] payload() {
    byte[] b = new byte[SIZE];
    new Random(7).nextBytes(b);
    return b;
  }

  /** Sends {@link #payload} on every stream. */
  private static final Router ROUTER =
      new Router() {
        @Override
        public void routeConnection(Conn c, Metadata m, Handshake h) {
          try (c) {
            h.succeed();
            c.out().write(payload());
            c.out().flush();
            c.shutdownOutput();
            c.in().transferTo(OutputStream.nullOutputStream());
          } catch (IOException e) {
            // the session went away
          }
        }

        @Override
        public void routePackets(PacketConn c, Metadata m, Handshake h) {}
      };

  private static final Metadata META =
      Metadata.of(
          "srv",
          "vmess",
          Network.TCP,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 1),
          SingMux.DESTINATION);

  private static byte[] h2Frame(int type, int flags, int stream, byte[] payload, int length) {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
    b.put((byte) type).put((byte) flags).putInt(stream).put(payload);
    return b.array();
  }

  /** The bytes a hostile client sends after the sing-mux preamble, per protocol and case. */
  private static byte[] hostile(String protocol, String what) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    switch (protocol + "/" + what) {
      // smux v1: ver, cmd, u16 length (LE), u32 stream id (LE)
      case "smux/unknown-stream" -> o.write(HEX.parseHex("0102030005000000616263"));
      case "smux/oversized" -> o.write(HEX.parseHex("0104080003000000" + "00".repeat(8)));
      // yamux: ver, type, u16 flags, u32 stream id, u32 length (big endian)
      case "yamux/unknown-stream" -> o.write(HEX.parseHex("000000000000000700000003616263"));
      case "yamux/oversized" -> {
        o.write(HEX.parseHex("000100010000000100000000")); // SYN stream 1
        o.write(HEX.parseHex("000000000000000100050000")); // 320 KiB into a 256 KiB window
        o.write(new byte[320 * 1024]);
      }
      case "yamux/window-overflow" -> {
        o.write(HEX.parseHex("000100010000000100000000"));
        o.write(HEX.parseHex("0001000000000001ffffffff"));
      }
      // h2mux: the HTTP/2 preface and SETTINGS, then the bad frame
      default -> {
        o.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes());
        o.write(h2Frame(4, 0, 0, new byte[0], 0));
        switch (what) {
          case "unknown-stream" -> o.write(h2Frame(0, 0, 7, "abc".getBytes(), 3));
          case "oversized" -> o.write(h2Frame(0, 0, 1, new byte[20_000], 20_000));
          default -> o.write(h2Frame(8, 0, 0, HEX.parseHex("7fffffff"), 4));
        }
      }
    }
    return o.toByteArray();
  }

  private static int protocolId(String protocol) {
    return switch (protocol) {
      case "smux" -> SingMux.PROTOCOL_SMUX;
      case "yamux" -> SingMux.PROTOCOL_YAMUX;
      default -> SingMux.PROTOCOL_H2MUX;
    };
  }

  @ParameterizedTest
  @CsvSource({
    "smux, unknown-stream, never opened",
    "smux, oversized, version 2",
    "yamux, unknown-stream, never opened",
    "yamux, oversized, into a window of",
    "yamux, window-overflow, overflows",
    "h2mux, unknown-stream, HTTP/2 session failed",
    "h2mux, oversized, HTTP/2 session failed",
    "h2mux, window-overflow, HTTP/2 session failed"
  })
  void hostileFramesCloseOnlyThatSession(String protocol, String what, String reason)
      throws Exception {
    MuxServer server = MuxServer.create("srv", new MultiplexInboundOptions(true, false, null));
    MuxClient client =
        MuxClient.create(
            "cli",
            new MultiplexOutboundOptions(true, protocol, 1, 100, null, false, null),
            () -> {
              Conn[] p = Pipe.create();
              Thread.ofVirtual().start(() -> server.serve(p[1], META, ROUTER));
              return p[0];
            });
    try {
      // a good stream, part read before the attack and the rest after
      Conn good = client.dial(new Destination.Ip(InetAddress.getLoopbackAddress(), 80));
      good.setReadTimeout(20_000);
      InputStream in = good.in();
      byte[] first = in.readNBytes(SIZE / 4);

      Conn[] bad = Pipe.create();
      Thread.ofVirtual().start(() -> server.serve(bad[1], META, ROUTER));
      byte[] attack = hostile(protocol, what);
      Thread.ofVirtual()
          .start(() -> {
            try {
              bad[0].out().write(new byte[] {0, (byte) protocolId(protocol)});
              bad[0].out().write(attack);
              bad[0].out().flush();
            } catch (IOException e) {
              // the server closed the session before reading it all
            }
          });
      // the server closes the hostile carrier: its end reads to EOF (bounded by the timeout)
      bad[0].setReadTimeout(15_000);
      bad[0].in().transferTo(OutputStream.nullOutputStream());

      assertThat(logs.list)
          .as("a log line with the reason")
          .anySatisfy(e -> {
            assertThat(e.getLevel().toString()).isEqualTo("WARN");
            assertThat(e.getFormattedMessage()).contains(reason);
          });

      byte[] rest = in.readAllBytes();
      good.close();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(first);
      sha.update(rest);
      assertThat(sha.digest())
          .as("the other session's stream, intact")
          .isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload()));
      assertThat(client.sessionCount()).isEqualTo(1);
    } finally {
      client.close();
      server.close();
    }
  }
}
