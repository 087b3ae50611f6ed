package dev.umbra.core.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Inbound;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.config.Config;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.core.registry.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Staged start, reverse close, and reload keeping established connections whose inbound and
 * outbound survive (beyond sing-box, which drops them all).
 */
class ReloadTest {
  /** A forward inbound: every connection goes to a fixed target. */
  record ForwardOptions(@Flatten ListenOptions listen, Integer targetPort) {}

  /** A direct-like outbound. */
  record PlainOptions(@Flatten DialOptions dial) {}

  static final List<String> EVENTS = Collections.synchronizedList(new ArrayList<>());

  static final class ForwardInbound implements Inbound {
    final String tag;
    final TcpListener listener;

    ForwardInbound(String tag, ForwardOptions o, Router router) {
      this.tag = tag;
      this.listener =
          new TcpListener(
              tag,
              o.listen(),
              s ->
                  router.routeConnection(
                      new SocketConn(s),
                      Metadata.of(
                          tag,
                          "forward",
                          Network.TCP,
                          (InetSocketAddress) s.getRemoteSocketAddress(),
                          new Destination.Ip(InetAddress.getLoopbackAddress(), o.targetPort())),
                      Handshake.NONE));
    }

    @Override
    public void start(StartStage stage) throws IOException {
      EVENTS.add("start " + tag + " " + stage);
      if (stage == StartStage.START) {
        listener.start();
      }
    }

    @Override
    public String type() {
      return "forward";
    }

    @Override
    public String tag() {
      return tag;
    }

    @Override
    public void close() throws IOException {
      EVENTS.add("close " + tag);
      listener.close();
    }
  }

  record PlainOutbound(String tag, Dialer dialer) implements Outbound {
    @Override
    public String type() {
      return "plain";
    }

    @Override
    public Set<Network> networks() {
      return EnumSet.of(Network.TCP);
    }

    @Override
    public Conn dial(Metadata m) throws IOException {
      return dialer.dial(m.destination());
    }

    @Override
    public PacketConn listenPacket(Metadata m) throws IOException {
      throw new IOException("no udp");
    }
  }

  static Registry registry() {
    Registry r = new Registry();
    r.inbound(
        "forward", ForwardOptions.class, (c, tag, o) -> new ForwardInbound(tag, o, c.router()));
    r.outbound(
        "plain", PlainOptions.class, (c, tag, o) -> new PlainOutbound(tag, c.dialer(o.dial())));
    return r;
  }

  static Config config(Registry r, int listen, int target, String outboundTag) {
    return ConfigLoader.load(
        Jsonc.parse(
            """
            {"inbounds": [{"type": "forward", "tag": "fwd", "listen": "127.0.0.1", "listen_port": %d, "target_port": %d}],
             "outbounds": [{"type": "plain", "tag": "%s"}]}
            """
                .formatted(listen, target, outboundTag),
            "t"),
        r);
  }

  /** An echo server on loopback. */
  static ServerSocket echo() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(() -> {
          while (!server.isClosed()) {
            try {
              Socket s = server.accept();
              Thread.ofVirtual()
                  .start(() -> {
                    try (s) {
                      s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException ignored) {
                      // client went away
                    }
                  });
            } catch (IOException e) {
              return;
            }
          }
        });
    return server;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Reads what ends a killed connection: -1, or a reset when our last byte was still unread on the
   * far side as it closed (the kernel then sends RST instead of FIN).
   */
  static int endOf(Socket s) throws IOException {
    try {
      return s.getInputStream().read();
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }

  static void assertEchoes(Socket s, int value) throws IOException {
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    out.write(value);
    out.flush();
    assertThat(in.read()).isEqualTo(value);
  }

  @Test
  void startsInStagesAndClosesInReverse() throws Exception {
    Registry r = registry();
    try (ServerSocket echo = echo()) {
      EVENTS.clear();
      Umbra u = Umbra.start(config(r, freePort(), echo.getLocalPort(), "out"), r, Path.of("."));
      u.close();
      assertThat(EVENTS)
          .containsExactly(
              "start fwd INITIALIZE",
              "start fwd START",
              "start fwd POST_START",
              "start fwd STARTED",
              "close fwd",
              "close fwd");
    }
  }

  @Test
  void reloadKeepsConnectionsWhoseTagsSurviveAndMovesTheListener() throws Exception {
    Registry r = registry();
    try (ServerSocket echo = echo()) {
      int first = freePort();
      Umbra u = Umbra.start(config(r, first, echo.getLocalPort(), "out"), r, Path.of("."));
      try (Socket kept = new Socket(InetAddress.getLoopbackAddress(), first)) {
        kept.setSoTimeout(5000);
        assertEchoes(kept, 1);
        int second = freePort();
        u.reload(config(r, second, echo.getLocalPort(), "out"));
        assertEchoes(kept, 2); // same inbound and outbound tags: still flowing
        try (Socket fresh = new Socket(InetAddress.getLoopbackAddress(), second)) {
          fresh.setSoTimeout(5000);
          assertEchoes(fresh, 3);
        }
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), first).close())
            .isInstanceOf(IOException.class); // the old listener is gone
        // an outbound that disappears takes its connections with it
        u.reload(config(r, second, echo.getLocalPort(), "renamed"));
        kept.getOutputStream().write(4);
        assertThat(endOf(kept)).isEqualTo(-1);
      } finally {
        u.shutdown(Duration.ofSeconds(1));
      }
    }
  }

  @Test
  void aBadConfigLeavesTheRunningOneAlone() throws Exception {
    Registry r = registry();
    try (ServerSocket echo = echo()) {
      int port = freePort();
      Umbra u = Umbra.start(config(r, port, echo.getLocalPort(), "out"), r, Path.of("."));
      try {
        Config bad =
            ConfigLoader.load(
                Jsonc.parse(
                    """
                    {"inbounds": [{"type": "forward", "tag": "fwd", "listen": "127.0.0.1", "listen_port": %d, "target_port": 1}],
                     "outbounds": [{"type": "plain", "tag": "out"}],
                     "route": {"final": "missing"}}
                    """
                        .formatted(freePort()),
                    "t"),
                r);
        assertThatThrownBy(() -> u.reload(bad))
            .isInstanceOf(ConfigException.class)
            .hasMessage("route.final: unknown outbound 'missing'");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
          s.setSoTimeout(5000);
          assertEchoes(s, 9);
        }
      } finally {
        u.shutdown(Duration.ofSeconds(1));
      }
    }
  }
}
