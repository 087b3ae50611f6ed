package dev.umbra.tor.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.registry.Registry;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TorOutboundConfigTest {
  private static final String AUTH =
      "auth0 orport=5000 v3ident=" + "A".repeat(40) + " 127.0.0.1:5100 " + "B".repeat(40);

  private static void load(String outbound) {
    String json =
        """
        {"outbounds": [%s]}
        """
            .formatted(outbound);
    Registry r = Registry.loadAll();
    ConfigLoader.load(Jsonc.parse(json, "test"), r);
  }

  @Test
  void binaryOptionsAreRejectedWithTheReason() {
    assertThatThrownBy(() ->
            load("{\"type\": \"tor\", \"tag\": \"t\", \"executable_path\": \"/usr/bin/tor\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].executable_path")
        .hasMessageContaining("no tor binary is used");
    assertThatThrownBy(() -> load("{\"type\": \"tor\", \"tag\": \"t\", \"extra_args\": [\"-x\"]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].extra_args");
  }

  @Test
  void unknownTorrcOptionsNameTheirPath() {
    assertThatThrownBy(() ->
            load(
                "{\"type\": \"tor\", \"tag\": \"t\", \"torrc\": {\"DirAuthority\": \""
                    + AUTH
                    + "\", \"UseDefaultFallbackDirs\": \"0\", \"ClientOnly\": \"1\"}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].torrc.ClientOnly")
        .hasMessageContaining("not supported");
  }

  @Test
  void confluxEnabledIsReadLikeCTors() {
    assertThat(
            TorrcOptions.parse(Map.of("DirAuthority", AUTH, "UseDefaultFallbackDirs", "0"))
                .conflux())
        .isTrue();
    assertThat(
            TorrcOptions.parse(
                    Map.of(
                        "DirAuthority", AUTH, "UseDefaultFallbackDirs", "0", "ConfluxEnabled", "0"))
                .conflux())
        .isFalse();
    assertThatThrownBy(() ->
            TorrcOptions.parse(
                Map.of("DirAuthority", AUTH, "UseDefaultFallbackDirs", "0", "ConfluxEnabled", "1")))
        .isInstanceOf(TorrcOptions.BadOption.class);
    assertThat(
            TorrcOptions.parse(
                    Map.of(
                        "DirAuthority",
                        AUTH,
                        "UseDefaultFallbackDirs",
                        "0",
                        "ConfluxEnabled",
                        "auto"))
                .conflux())
        .isTrue();
  }

  @Test
  void publicNetworkBootstrapIsRefusedHonestly() {
    assertThatThrownBy(() -> load("{\"type\": \"tor\", \"tag\": \"t\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("torrc.DirAuthority");
  }

  @Test
  void torrcOptionsParse() {
    TorrcOptions t =
        TorrcOptions.parse(
            Map.of(
                "DirAuthority",
                AUTH + "\n" + AUTH.replace("auth0", "auth1"),
                "TestingTorNetwork",
                "1",
                "UseDefaultFallbackDirs",
                "0",
                "ExcludeNodes",
                "$" + "C".repeat(40) + ", " + "d".repeat(40),
                "ExitNodes",
                "E".repeat(40),
                "StrictNodes",
                "1"));
    assertThat(t.authorities()).hasSize(2);
    assertThat(t.authorities().getFirst().dirAddress().getPort()).isEqualTo(5100);
    assertThat(t.authorities().getFirst().v3ident()).isEqualTo("A".repeat(40));
    assertThat(t.testingTorNetwork()).isTrue();
    assertThat(t.excludeNodes()).containsExactlyInAnyOrder("C".repeat(40), "D".repeat(40));
    assertThat(t.exitNodes()).containsExactly("E".repeat(40));
    assertThatThrownBy(() ->
            TorrcOptions.parse(
                Map.of("DirAuthority", AUTH, "UseDefaultFallbackDirs", "0", "ExitNodes", "{us}")))
        .hasMessageContaining("only relay fingerprints");
    assertThatThrownBy(
            () -> TorrcOptions.parse(Map.of("DirAuthority", AUTH, "UseDefaultFallbackDirs", "2")))
        .hasMessageContaining("must be 0 or 1");
    assertThatThrownBy(() -> TorrcOptions.parse(Map.of("DirAuthority", "auth0 127.0.0.1:1")))
        .hasMessageContaining("DirAuthority needs");
    assertThatThrownBy(() ->
            TorrcOptions.parse(
                Map.of("DirAuthority", "auth0 orport=1 127.0.0.1:1 " + "B".repeat(40))))
        .hasMessageContaining("v3ident");
  }

  @Test
  void aValidOutboundLoads() {
    load(
        "{\"type\": \"tor\", \"tag\": \"t\", \"data_directory\": \"/tmp/x\", \"torrc\":"
            + " {\"DirAuthority\": \""
            + AUTH
            + "\", \"UseDefaultFallbackDirs\": \"0\", \"TestingTorNetwork\": \"1\"}}");
  }

  private static Metadata meta(String inbound, String user, String host, int port, String client) {
    return Metadata.of(
            inbound,
            "mixed",
            Network.TCP,
            new InetSocketAddress(client, 40000),
            Destination.of(host, port))
        .withUser(user);
  }

  private static TorOutbound outbound(Map<String, String> extra) {
    Map<String, String> torrc = new java.util.HashMap<>(extra);
    torrc.put("DirAuthority", AUTH);
    torrc.put("UseDefaultFallbackDirs", "0");
    return new TorOutbound("t", new TorOutboundOptions(null, null, null, torrc));
  }

  @Test
  void isolationFollowsTheIsolateFlags() {
    TorOutbound dflt = outbound(Map.of());
    Object a = dflt.isolationKey(meta("in", "alice", "a.example", 80, "127.0.0.1"));
    // by default: per inbound and per credentials, not per destination or client
    assertThat(dflt.isolationKey(meta("in", "alice", "b.example", 443, "127.0.0.2"))).isEqualTo(a);
    assertThat(dflt.isolationKey(meta("in", "bob", "a.example", 80, "127.0.0.1"))).isNotEqualTo(a);
    assertThat(dflt.isolationKey(meta("in2", "alice", "a.example", 80, "127.0.0.1")))
        .isNotEqualTo(a);

    TorOutbound byDest =
        outbound(Map.of("IsolateDestAddr", "1", "IsolateDestPort", "1", "IsolateSOCKSAuth", "0"));
    Object d = byDest.isolationKey(meta("in", "alice", "a.example", 80, "127.0.0.1"));
    assertThat(byDest.isolationKey(meta("in", "bob", "a.example", 80, "127.0.0.1"))).isEqualTo(d);
    assertThat(byDest.isolationKey(meta("in", "alice", "b.example", 80, "127.0.0.1")))
        .isNotEqualTo(d);
    assertThat(byDest.isolationKey(meta("in", "alice", "a.example", 81, "127.0.0.1")))
        .isNotEqualTo(d);

    TorOutbound byClient = outbound(Map.of("IsolateClientAddr", "1"));
    Object c = byClient.isolationKey(meta("in", null, "a.example", 80, "127.0.0.1"));
    assertThat(byClient.isolationKey(meta("in", null, "a.example", 80, "127.0.0.2")))
        .isNotEqualTo(c);
    assertThat(byClient.isolationKey(meta("in", null, "b.example", 81, "127.0.0.1"))).isEqualTo(c);
  }

  @Test
  void isolateFlagsAreTorrcBooleans() {
    assertThatThrownBy(() ->
            load(
                "{\"type\": \"tor\", \"tag\": \"t\", \"torrc\": {\"DirAuthority\": \""
                    + AUTH
                    + "\", \"UseDefaultFallbackDirs\": \"0\", \"IsolateDestAddr\": \"yes\"}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].torrc.IsolateDestAddr")
        .hasMessageContaining("must be 0 or 1");
    TorrcOptions t =
        TorrcOptions.parse(
            Map.of("DirAuthority", AUTH, "UseDefaultFallbackDirs", "0", "IsolateDestPort", "1"));
    assertThat(t.isolation()).isEqualTo(new TorrcOptions.IsolationFlags(true, false, true, false));
  }

  @Test
  void fallbackDirsParse() {
    TorrcOptions t =
        TorrcOptions.parse(
            Map.of(
                "DirAuthority",
                AUTH,
                "UseDefaultFallbackDirs",
                "0",
                "FallbackDir",
                "127.0.0.1:80 orport=9001 id="
                    + "A".repeat(40)
                    + " weight=10\n"
                    + "127.0.0.2:0 orport=9002 id=$"
                    + "b".repeat(40)
                    + " ipv6=[::1]:9002"));
    assertThat(t.fallbackDirs()).hasSize(2);
    assertThat(t.fallbackDirs().get(1).fingerprint()).isEqualTo("B".repeat(40));
    assertThat(t.fallbackDirs().get(1).orPort().getPort()).isEqualTo(9002);
    assertThatThrownBy(() ->
            load(
                "{\"type\": \"tor\", \"tag\": \"t\", \"torrc\": {\"DirAuthority\": \""
                    + AUTH
                    + "\", \"UseDefaultFallbackDirs\": \"0\", \"FallbackDir\": \"1.2.3.4:80\"}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].torrc.FallbackDir")
        .hasMessageContaining("orport");
  }
}
