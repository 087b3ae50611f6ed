package dev.umbra.proxy.mux;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Closing an Umbra instance whose outbound or inbound multiplexes stops everything the sessions
 * started: when close returns, no thread named after that outbound/inbound is left (virtual threads
 * included, from a full thread dump) and its carrier sockets are closed.
 */
class MuxLifecycleTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"h2mux", "smux", "yamux"})
  void closingStopsEverySessionThreadAndSocket(String protocol) throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    String in = "in-" + protocol + "-" + port;
    String out = "out-" + protocol + "-" + port;
    try (HttpOrigin origin = new HttpOrigin()) {
      Harness.Running server =
          Harness.umbra(
              """
              {"log": {"level": "warn"},
               "inbounds": [{"type": "trojan", "tag": "%s", "listen": "127.0.0.1",
                 "listen_port": %d, "users": [{"name": "u", "password": "%s"}],
                 "multiplex": {"enabled": true}}],
               "outbounds": [{"type": "direct", "tag": "direct"}]}
              """
                  .formatted(in, port, Harness.PASSWORD));
      Harness.Running client =
          Harness.umbra(
              """
              {"log": {"level": "warn"},
               "inbounds": [{"type": "mixed", "tag": "socks", "listen": "127.0.0.1",
                 "listen_port": %d}],
               "outbounds": [{"type": "trojan", "tag": "%s", "server": "127.0.0.1",
                 "server_port": %d, "password": "%s",
                 "multiplex": {"enabled": true, "protocol": "%s", "max_connections": 2,
                   "min_streams": 4}}]}
              """
                  .formatted(socks, out, port, Harness.PASSWORD, protocol));
      try {
        MuxEndToEndTest.parallel(socks, origin, 24);
        assertThat(threadsNamed("mux/" + out)).as("client session threads").isNotEmpty();
        assertThat(threadsNamed("mux/" + in)).as("server session threads").isNotEmpty();
        assertThat(established(port, false)).as("client carriers").isNotEmpty();
      } finally {
        client.close();
      }
      // the outbound's close returned: its sessions, their threads and carriers are gone
      assertThat(threadsNamed("mux/" + out)).as("client threads after close").isEmpty();
      assertThat(established(port, false)).as("client carriers after close").isEmpty();

      server.close();
      assertThat(threadsNamed("mux/" + in)).as("server threads after close").isEmpty();
      assertThat(established(port, true)).as("server carriers after close").isEmpty();
    }
  }

  /** Names of live threads (platform and virtual, from a full dump) containing {@code part}. */
  static List<String> threadsNamed(String part) throws IOException {
    Path f = Files.createTempFile("threads", ".txt");
    Files.delete(f);
    try {
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .dumpThreads(f.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
      List<String> names = new ArrayList<>();
      for (String line : Files.readAllLines(f)) {
        // "#123 "name" virtual WAITING ..."
        int a = line.indexOf('"');
        int b = line.indexOf('"', a + 1);
        if (line.startsWith("#") && a > 0 && b > a && line.substring(a + 1, b).contains(part)) {
          names.add(line.substring(a + 1, b));
        }
      }
      return names;
    } finally {
      Files.deleteIfExists(f);
    }
  }

  /**
   * TCP connections to or from {@code port} on this host still open (ESTABLISHED or CLOSE_WAIT),
   * the server's end ({@code local}) or the clients' end, from /proc/net/tcp.
   */
  static List<String> established(int port, boolean local) throws IOException {
    List<String> open = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) {
        continue;
      }
      for (String line : Files.readAllLines(p)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4 || !f[1].contains(":")) {
          continue;
        }
        String mine = local ? f[1] : f[2];
        int p2 = Integer.parseInt(mine.substring(mine.indexOf(':') + 1), 16);
        if (p2 == port && (f[3].equals("01") || f[3].equals("08"))) {
          open.add(line.trim());
        }
      }
    }
    return open;
  }
}
