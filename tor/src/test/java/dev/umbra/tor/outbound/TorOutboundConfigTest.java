package dev.umbra.tor.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.registry.Registry;
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
}
