package dev.umbra.proxy.mux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.proxy.v2test.Harness;
import dev.umbra.proxy.v2test.Leaks;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.nio.file.Path;
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
        assertThat(Leaks.threadsNamed("mux/" + out)).as("client session threads").isNotEmpty();
        assertThat(Leaks.threadsNamed("mux/" + in)).as("server session threads").isNotEmpty();
        assertThat(Leaks.established(port, false)).as("client carriers").isNotEmpty();
      } finally {
        client.close();
      }
      // the outbound's close returned: its sessions, their threads and carriers are gone
      assertThat(Leaks.threadsNamed("mux/" + out)).as("client threads after close").isEmpty();
      assertThat(Leaks.established(port, false)).as("client carriers after close").isEmpty();

      server.close();
      assertThat(Leaks.threadsNamed("mux/" + in)).as("server threads after close").isEmpty();
      assertThat(Leaks.established(port, true)).as("server carriers after close").isEmpty();
    }
  }
}
