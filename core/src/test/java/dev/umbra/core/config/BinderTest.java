package dev.umbra.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BinderTest {
  record Sample(@Flatten ListenOptions listen, String server, List<String> names, Integer count) {}

  private static Sample bind(String json) {
    return Binder.bind(Jsonc.parse(json, "test.json"), Sample.class, "inbounds[0]", Set.of("type"));
  }

  @Test
  void bindsFlatFieldsScalarListsAndDurations() {
    Sample s =
        bind(
            """
            { // comment
              "type": "x", "listen": "127.0.0.1", "listen_port": 2080,
              "tcp_keep_alive": "1h30m", "names": "one", "server": "a", "count": 3,
            }\
            """);
    assertThat(s.listen().listenPort()).isEqualTo(2080);
    assertThat(s.listen().tcpKeepAlive()).isEqualTo(Duration.ofMinutes(90));
    assertThat(s.names()).containsExactly("one");
    assertThat(s.count()).isEqualTo(3);
  }

  @Test
  void unknownFieldNamesItsPath() {
    assertThatThrownBy(() -> bind("{\"type\":\"x\",\"lissten\":\"127.0.0.1\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("inbounds[0].lissten: unknown field 'lissten'");
  }

  @Test
  void wrongTypeNamesPathAndExpectation() {
    assertThatThrownBy(() -> bind("{\"listen_port\":\"80\"}"))
        .hasMessage("inbounds[0].listen_port: expected an integer, got a string (\"80\")");
    assertThatThrownBy(() -> bind("{\"names\":[\"a\", 1]}"))
        .hasMessage("inbounds[0].names[1]: expected a string, got a number (1)");
  }

  @Test
  void removedAndUnsupportedFieldsAreErrors() {
    assertThatThrownBy(() -> bind("{\"sniff\":true}"))
        .hasMessageStartingWith(
            "inbounds[0].sniff: legacy field removed: removed in sing-box 1.13.0");
    assertThatThrownBy(() -> bind("{\"routing_mark\":1}"))
        .hasMessage("inbounds[0].routing_mark: field 'routing_mark' is not supported yet");
  }

  @Test
  void validationNamesTheField() {
    assertThatThrownBy(() -> bind("{\"listen_port\":70000}"))
        .hasMessage("inbounds[0].listen_port: expected a port 0-65535, got 70000");
    assertThatThrownBy(() -> bind("{\"tcp_keep_alive\":\"5 minutes\"}"))
        .hasMessageStartingWith("inbounds[0].tcp_keep_alive: invalid duration '5 minutes'");
  }

  @Test
  void syntaxErrorsNameLineAndColumnAndDuplicatesAreRejected() {
    assertThatThrownBy(() -> Jsonc.parse("{\n  \"a\": }", "c.json"))
        .hasMessageStartingWith("c.json:2:");
    assertThatThrownBy(() -> Jsonc.parse("{\"a\":1,\"a\":2}", "c.json"))
        .hasMessageContaining("Duplicate");
  }

  @Test
  void goDurations() {
    assertThat(GoDuration.parse("300ms")).isEqualTo(Duration.ofMillis(300));
    assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(GoDuration.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(GoDuration.format(Duration.ofMinutes(90))).isEqualTo("1h30m0s");
    assertThatThrownBy(() -> GoDuration.parse("10")).isInstanceOf(IllegalArgumentException.class);
  }
}
