package dev.umbra.tor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.Curl;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.tor.TorTestNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The testkit's private network really carries traffic: C tor client → 3 hops → local origin. */
@Tag("interop")
class TorTestNetworkIT {
  static TorTestNetwork net;
  static HttpOrigin origin;

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    net = TorTestNetwork.start(TorTestNetwork.Options.defaults().withClient());
  }

  @AfterAll
  static void stop() {
    if (net != null) {
      net.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void networkListsAuthoritiesAndRelays() {
    assertThat(net.authorities()).hasSize(3);
    assertThat(net.relays()).hasSize(5);
    assertThat(net.dirAuthorityLines().getFirst())
        .matches("auth0 orport=\\d+ v3ident=[0-9A-F]{40} 127\\.0\\.0\\.1:\\d+ [0-9A-F]{40}");
    String consensus =
        TorTestNetwork.httpGet(
            net.authorities().getFirst().dirPort(), "/tor/status-vote/current/consensus-microdesc");
    assertThat(consensus).contains("network-status-version 3 microdesc");
  }

  @Test
  void cTorClientReachesLocalOriginThroughTheNetwork() throws Exception {
    Curl.Result r =
        Curl.run("--socks5-hostname", "127.0.0.1:" + net.socksPort(), origin.url("/small"));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.text()).isEqualTo("ok\n");
  }
}
