package dev.umbra.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.config.LogOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sing-box log block: level, output file, timestamp and disabled, as written to a file. */
class LogSetupTest {
  private static final Logger LOG = LoggerFactory.getLogger("LogSetupProbe");

  @TempDir Path dir;

  @AfterEach
  void restoreTheTestLogging() throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    new ContextInitializer(ctx).autoConfig();
  }

  private static LogOptions options(String json) {
    return Binder.bind(Jsonc.parse(json, "test"), LogOptions.class, "log");
  }

  private List<String> logAll(String json) throws Exception {
    Path file = dir.resolve("umbra.log");
    LogSetup.apply(options(json.replace("FILE", file.toString())));
    LOG.debug("a debug line");
    LOG.info("an info line");
    LOG.warn("a warn line");
    LOG.error("an error line");
    LogSetup.apply(new LogOptions(true, null, null, null)); // closes the file appender
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  @Test
  void levelAndOutputFileWithoutTimestamp() throws Exception {
    List<String> lines =
        logAll("{\"level\": \"info\", \"output\": \"FILE\", \"timestamp\": false}");
    assertThat(lines)
        .containsExactly(
            "INFO  LogSetupProbe: an info line",
            "WARN  LogSetupProbe: a warn line",
            "ERROR LogSetupProbe: an error line");
  }

  @Test
  void warnLevelDropsInfoAndTimestampIsTheDefault() throws Exception {
    List<String> lines = logAll("{\"level\": \"warn\", \"output\": \"FILE\"}");
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ WARN  LogSetupProbe: a warn line");
    assertThat(lines.get(1)).endsWith("ERROR LogSetupProbe: an error line");
  }

  @Test
  void debugLevelKeepsEverything() throws Exception {
    assertThat(logAll("{\"level\": \"debug\", \"output\": \"FILE\", \"timestamp\": false}"))
        .hasSize(4)
        .first()
        .isEqualTo("DEBUG LogSetupProbe: a debug line");
  }

  @Test
  void disabledWritesNothing() throws Exception {
    assertThat(logAll("{\"disabled\": true, \"level\": \"trace\", \"output\": \"FILE\"}"))
        .isEmpty();
  }

  @Test
  void badLevelAndUnknownFieldsNameTheirPath() {
    assertThatThrownBy(() -> options("{\"level\": \"loud\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("log.level: ");
    assertThatThrownBy(() -> options("{\"colour\": true}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("log.colour: ");
  }
}
