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
import dev.umbra.testkit.HttpOrigin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Groups over test members with real loopback probes to a local origin. */
class GroupTest {
  HttpOrigin origin;
  Umbra umbra;

  @BeforeEach
  void setUp() throws Exception {
    origin = new HttpOrigin();
    DelayOutbound.DOWN.clear();
    DelayOutbound.DIALS.clear();
  }

  @AfterEach
  void tearDown() {
    if (umbra != null) {
      umbra.shutdown(Duration.ofSeconds(1));
    }
    origin.close();
  }

  private Umbra start(String group) throws Exception {
    String json =
        """
        {"log": {"level": "error"},
         "outbounds": [%s,
           {"type": "test-delay", "tag": "slow", "delay_ms": 400},
           {"type": "test-delay", "tag": "fast", "delay_ms": 0},
           {"type": "test-delay", "tag": "medium", "delay_ms": 150}]}
        """
            .formatted(group);
    Registry r = Registry.loadAll();
    umbra = Umbra.start(ConfigLoader.load(Jsonc.parse(json, "t"), r), r, Path.of("."));
    return umbra;
  }

  private String url() {
    return origin.url("/small");
  }

  @Test
  void urltestPicksTheFastestAndRespectsTolerance() throws Exception {
    start(
        "{\"type\": \"urltest\", \"tag\": \"auto\", \"outbounds\": [\"slow\", \"medium\", \"fast\"], \"url\": \""
            + url()
            + "\", \"interval\": \"1h\", \"tolerance\": 50}");
    ProbedGroup auto = (ProbedGroup) umbra.outbound("auto").orElseThrow();
    Map<String, Long> delays = auto.probeAll();
    assertThat(delays.get("fast")).isLessThan(delays.get("slow"));
    assertThat(auto.now()).isEqualTo("fast");
    // the best member dies: the next probe moves to the next best
    DelayOutbound.DOWN.put("fast", true);
    auto.probeAll();
    assertThat(auto.now()).isEqualTo("medium");
    try (Conn c =
        auto.dial(Metadata.internal(Network.TCP, Destination.of("127.0.0.1", origin.port())))) {
      assertThat(c).isNotNull();
    }
  }

  @Test
  void fallbackUsesTheFirstHealthyMemberInOrder() throws Exception {
    start(
        "{\"type\": \"fallback\", \"tag\": \"fb\", \"outbounds\": [\"slow\", \"fast\"], \"url\": \""
            + url()
            + "\", \"interval\": \"1h\"}");
    ProbedGroup fb = (ProbedGroup) umbra.outbound("fb").orElseThrow();
    fb.probeAll();
    assertThat(fb.now()).isEqualTo("slow"); // healthy, so first wins even though slower
    DelayOutbound.DOWN.put("slow", true);
    // a failed dial marks it down and the same connection goes on to the next member
    try (Conn c =
        fb.dial(Metadata.internal(Network.TCP, Destination.of("127.0.0.1", origin.port())))) {
      assertThat(c).isNotNull();
    }
    assertThat(fb.now()).isEqualTo("fast");
  }

  @Test
  void loadbalanceRoundRobinAndConsistentHashing() throws Exception {
    start(
        "{\"type\": \"loadbalance\", \"tag\": \"rr\", \"outbounds\": [\"slow\", \"fast\", \"medium\"], \"url\": \""
            + url()
            + "\", \"interval\": \"1h\"},"
            + "{\"type\": \"loadbalance\", \"tag\": \"hash\", \"strategy\": \"consistent-hashing\", \"outbounds\": [\"slow\", \"fast\", \"medium\"], \"url\": \""
            + url()
            + "\", \"interval\": \"1h\"}");
    ProbedGroup rr = (ProbedGroup) umbra.outbound("rr").orElseThrow();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      seen.add(rr.now());
    }
    assertThat(seen).containsExactlyInAnyOrder("slow", "fast", "medium");
    ProbedGroup hash = (ProbedGroup) umbra.outbound("hash").orElseThrow();
    Set<String> chosen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      DelayOutbound.DIALS.clear();
      try (Conn c =
          hash.dial(Metadata.internal(Network.TCP, Destination.of("localhost", origin.port())))) {
        chosen.addAll(DelayOutbound.DIALS.keySet());
      }
    }
    assertThat(chosen).hasSize(1); // one destination always lands on the same member
  }

  @Test
  void selectorDefaultsAndSwitches() throws Exception {
    start(
        "{\"type\": \"selector\", \"tag\": \"sel\", \"outbounds\": [\"slow\", \"fast\"], \"default\": \"fast\"}");
    Selector sel = (Selector) umbra.outbound("sel").orElseThrow();
    assertThat(sel.now()).isEqualTo("fast");
    sel.select("slow");
    assertThat(sel.now()).isEqualTo("slow");
    assertThatThrownBy(() -> sel.select("nope")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void badGroupsAreConfigErrorsWithPaths() {
    assertThatThrownBy(() ->
            start(
                "{\"type\": \"selector\", \"tag\": \"sel\", \"outbounds\": [\"slow\"], \"default\": \"fast\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("outbounds[0].default: 'fast' is not a member of this selector");
    assertThatThrownBy(() ->
            start(
                "{\"type\": \"urltest\", \"tag\": \"u\", \"outbounds\": [\"ghost\"], \"url\": \"http://127.0.0.1/\"}"))
        .hasMessage("outbounds[0]: unknown outbound 'ghost'");
    assertThatThrownBy(() ->
            start(
                "{\"type\": \"urltest\", \"tag\": \"u\", \"outbounds\": [\"u\"], \"url\": \"http://127.0.0.1/\"}"))
        .hasMessageContaining("outbound dependency loop: u -> u");
    assertThatThrownBy(() -> start("{\"type\": \"selector\", \"tag\": \"s\", \"outbounds\": []}"))
        .hasMessage("outbounds[0].outbounds: a group needs at least one member outbound");
  }
}
