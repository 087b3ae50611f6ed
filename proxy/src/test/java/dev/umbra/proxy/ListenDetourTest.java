package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Listen detour: one inbound hands its accepted connections to another. */
@Tag("interop")
class ListenDetourTest {
  @Test
  void connectionsAreServedByTheDetourInbound() throws Exception {
    try (HttpOrigin origin = new HttpOrigin()) {
      int front = FreePort.tcp();
      int back = FreePort.tcp();
      // Only connections the 'back' inbound serves may leave; everything else is blocked.
      String config =
          """
          {"log": {"level": "warn"},
           "inbounds": [
             {"type": "http", "tag": "front", "listen": "127.0.0.1", "listen_port": %d, "detour": "back"},
             {"type": "socks", "tag": "back", "listen": "127.0.0.1", "listen_port": %d}],
           "outbounds": [{"type": "block", "tag": "block"}, {"type": "direct", "tag": "direct"}],
           "route": {"rules": [{"inbound": "back", "outbound": "direct"}], "final": "block"}}
          """
              .formatted(front, back);
      try (RunningUmbra u = RunningUmbra.start(config)) {
        // the front port speaks SOCKS now, because 'back' serves what it accepts
        Curl.Result r = Curl.run("--socks5", "127.0.0.1:" + front, origin.url("/small"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.text()).isEqualTo("ok\n");
        Curl.Result blocked = Curl.run("-x", "http://127.0.0.1:" + front, origin.url("/small"));
        assertThat(blocked.exitCode()).isNotZero();
      }
    }
  }
}
