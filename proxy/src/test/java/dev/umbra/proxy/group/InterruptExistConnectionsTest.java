package dev.umbra.proxy.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code interrupt_exist_connections}: when a selector or urltest group changes member, the
 * connections opened through it are closed, so clients reconnect through the new member.
 */
class InterruptExistConnectionsTest {
  private static final InetAddress LO = InetAddress.getLoopbackAddress();
  private ServerSocket echo;
  private Umbra umbra;

  @BeforeEach
  void startEcho() throws IOException {
    echo = new ServerSocket(0, 50, LO);
    Thread.ofVirtual()
        .start(() -> {
          while (!echo.isClosed()) {
            try {
              Socket s = echo.accept();
              Thread.ofVirtual()
                  .start(() -> {
                    try (s) {
                      s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException e) {
                      // the peer went away
                    }
                  });
            } catch (IOException e) {
              return;
            }
          }
        });
    DelayOutbound.DOWN.clear();
  }

  @AfterEach
  void stop() throws IOException {
    if (umbra != null) {
      umbra.shutdown(Duration.ofSeconds(1));
    }
    echo.close();
  }

  private int start(String group) throws IOException {
    int port = FreePort.tcp();
    String json =
        """
        {"log": {"level": "error"},
         "inbounds": [{"type": "socks", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
         "outbounds": [%s,
           {"type": "test-delay", "tag": "slow", "delay_ms": 300},
           {"type": "test-delay", "tag": "fast", "delay_ms": 0}]}
        """
            .formatted(port, group);
    Registry r = Registry.loadAll();
    umbra = Umbra.start(ConfigLoader.load(Jsonc.parse(json, "t"), r), r, Path.of("."));
    return port;
  }

  /** A SOCKS5 CONNECT to the echo server through Umbra, checked with one round trip. */
  private Socket connect(int socksPort) throws IOException {
    Socket s = new Socket(LO, socksPort);
    s.setSoTimeout(5000);
    OutputStream out = s.getOutputStream();
    DataInputStream in = new DataInputStream(s.getInputStream());
    out.write(new byte[] {5, 1, 0});
    in.readFully(new byte[2]);
    int p = echo.getLocalPort();
    out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (p >> 8), (byte) p});
    byte[] reply = new byte[10];
    in.readFully(reply);
    assertThat(reply[1]).isZero();
    assertThat(roundTrip(s)).isTrue();
    return s;
  }

  /** Whether the connection still carries data: false once it was closed on the proxy's side. */
  private static boolean roundTrip(Socket s) {
    try {
      s.getOutputStream().write("ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] back = new byte[4];
      InputStream in = s.getInputStream();
      int n = 0;
      while (n < 4) {
        int r = in.read(back, n, 4 - n);
        if (r < 0) {
          return false;
        }
        n += r;
      }
      return new String(back, java.nio.charset.StandardCharsets.US_ASCII).equals("ping");
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("no answer and no close within the timeout", e);
    } catch (IOException e) {
      return false; // reset
    }
  }

  @Test
  void selectorSwitchClosesExistingConnectionsWhenAsked() throws Exception {
    int port =
        start(
            "{\"type\": \"selector\", \"tag\": \"sel\", \"outbounds\": [\"fast\", \"slow\"],"
                + " \"interrupt_exist_connections\": true}");
    Selector sel = (Selector) umbra.outbound("sel").orElseThrow();
    try (Socket before = connect(port)) {
      sel.select("fast"); // no change: nothing is interrupted
      assertThat(roundTrip(before)).isTrue();
      sel.select("slow");
      assertThat(roundTrip(before)).isFalse();
      try (Socket after = connect(port)) {
        assertThat(roundTrip(after)).isTrue();
      }
    }
  }

  @Test
  void selectorSwitchKeepsConnectionsByDefault() throws Exception {
    int port =
        start("{\"type\": \"selector\", \"tag\": \"sel\", \"outbounds\": [\"fast\", \"slow\"]}");
    Selector sel = (Selector) umbra.outbound("sel").orElseThrow();
    try (Socket before = connect(port)) {
      sel.select("slow");
      assertThat(roundTrip(before)).isTrue();
    }
  }

  @Test
  void urltestMovingToAnotherMemberClosesExistingConnections() throws Exception {
    try (HttpOrigin origin = new HttpOrigin()) {
      start(
          "{\"type\": \"urltest\", \"tag\": \"auto\", \"outbounds\": [\"slow\", \"fast\"],"
              + " \"url\": \""
              + origin.url("/small")
              + "\", \"interval\": \"1h\", \"interrupt_exist_connections\": true}");
      ProbedGroup auto = (ProbedGroup) umbra.outbound("auto").orElseThrow();
      // health decides, not delays (which a loaded machine blurs): only "fast" is up at first
      DelayOutbound.DOWN.put("slow", true);
      auto.probeAll();
      assertThat(auto.now()).isEqualTo("fast");
      try (Conn c =
          auto.dial(Metadata.internal(Network.TCP, new Destination.Ip(LO, echo.getLocalPort())))) {
        c.out().write(1);
        c.out().flush();
        c.setReadTimeout(5000);
        assertThat(c.in().read()).isEqualTo(1);
        // then "fast" fails its probe and "slow" is back: the group moves to "slow"
        DelayOutbound.DOWN.clear();
        DelayOutbound.DOWN.put("fast", true);
        auto.probeAll();
        assertThat(auto.now()).isEqualTo("slow");
        int r;
        try {
          r = c.in().read();
        } catch (java.net.SocketTimeoutException e) {
          throw new AssertionError("the connection was not closed", e);
        } catch (IOException closed) {
          r = -1;
        }
        assertThat(r).isEqualTo(-1);
      }
    }
  }

  @Test
  void loadbalanceRejectsTheOption() {
    assertThatThrownBy(() ->
            start(
                "{\"type\": \"loadbalance\", \"tag\": \"lb\", \"outbounds\": [\"fast\"],"
                    + " \"url\": \"http://127.0.0.1:1/\", \"interrupt_exist_connections\": true}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "outbounds[0].interrupt_exist_connections: only selector and urltest groups have it");
  }
}
