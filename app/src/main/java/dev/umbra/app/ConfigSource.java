package dev.umbra.app;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigFiles;
import dev.umbra.core.config.Jsonc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import tools.jackson.databind.JsonNode;

/**
 * The config flags every command shares, as sing-box's persistent flags: {@code -c FILE}
 * (repeatable), {@code -C DIR} (repeatable), {@code -D DIR} (working directory).
 */
public final class ConfigSource {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "configuration file path (repeatable; files are merged; 'stdin' reads stdin)")
  List<String> files = new ArrayList<>();

  @Option(
      names = {"-C", "--config-directory"},
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "configuration directory path: its *.json files are merged (repeatable)")
  List<String> directories = new ArrayList<>();

  @Option(
      names = {"-D", "--directory"},
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "working directory (created if missing; relative paths resolve against it)")
  String workingDirectory;

  /** The built-in config used when no -c or -C is given: mixed on 127.0.0.1:2080 to direct. */
  public static final String DEFAULT_CONFIG_RESOURCE = "/dev/umbra/app/default-config.json";

  boolean noFiles() {
    return files.isEmpty() && directories.isEmpty();
  }

  /**
   * The directory relative paths resolve against. The launcher changes into {@code -D} before
   * starting the JVM (Java cannot change its own directory) and says so in UMBRA_WORKDIR_APPLIED;
   * when Umbra is started some other way, config file paths still resolve against {@code -D}.
   */
  Path base() {
    Path cwd = Path.of("").toAbsolutePath();
    if (workingDirectory == null || System.getenv("UMBRA_WORKDIR_APPLIED") != null) {
      return cwd;
    }
    Path dir = cwd.resolve(workingDirectory);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException("", "working directory " + workingDirectory + ": " + e, e);
    }
    return dir;
  }

  /** The config files, read and merged; the built-in default when none are named. */
  JsonNode readMerged(InputStream stdin) {
    if (noFiles()) {
      return defaultConfig();
    }
    return ConfigFiles.readAndMerge(files, directories, base(), stdin);
  }

  /** The files one by one (for format), sorted by path as sing-box does. */
  List<ConfigFiles.Entry> readEach(InputStream stdin) {
    if (noFiles()) {
      throw new ConfigException("", "no config file given (use -c FILE or -C DIR)");
    }
    return ConfigFiles.read(files, directories, base(), stdin);
  }

  static JsonNode defaultConfig() {
    try (InputStream in = ConfigSource.class.getResourceAsStream(DEFAULT_CONFIG_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DEFAULT_CONFIG_RESOURCE);
      }
      return Jsonc.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in config");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
