package dev.umbra.app;

import dev.umbra.core.config.ConfigFiles;
import dev.umbra.core.config.Jsonc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** The config-selection flags every command shares: -c, -C, -D. */
final class ConfigOptions {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Configuration file (repeatable; merged in order; - reads stdin).")
  List<String> files = new ArrayList<>();

  @Option(
      names = {"-C", "--config-directory"},
      paramLabel = "DIR",
      description = "Directory of *.json configuration files, merged in name order (repeatable).")
  List<String> directories = new ArrayList<>();

  @Option(
      names = {"-D", "--directory"},
      paramLabel = "DIR",
      description = "Working directory: relative paths resolve against it.")
  Path workingDirectory;

  Path base() {
    return (workingDirectory == null ? Path.of("") : workingDirectory).toAbsolutePath().normalize();
  }

  boolean usesDefault() {
    return files.isEmpty() && directories.isEmpty();
  }

  List<ConfigFiles.Source> read(InputStream stdin) throws IOException {
    if (usesDefault()) {
      return List.of(new ConfigFiles.Source("default config", defaultConfig()));
    }
    return ConfigFiles.read(files, directories, base(), stdin);
  }

  JsonNode merged(InputStream stdin) throws IOException {
    return ConfigFiles.merge(read(stdin));
  }

  static JsonNode defaultConfig() throws IOException {
    try (InputStream in = ConfigOptions.class.getResourceAsStream("/default-config.json")) {
      return Jsonc.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default config");
    }
  }
}
