package dev.umbra.app;

import dev.umbra.core.config.ConfigFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code umbra format [-w]}: re-emits each configuration file with two-space indentation. */
@Command(name = "format", description = "Format configuration files.")
final class FormatCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(
      names = {"-w", "--write"},
      description = "Write the result back to each file instead of printing it.")
  boolean write;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    for (ConfigFiles.Source s : config.read(System.in)) {
      String text = ConfigFiles.format(s.document());
      if (write && !config.usesDefault() && !s.name().equals("stdin")) {
        Files.writeString(config.base().resolve(s.name()), text, StandardCharsets.UTF_8);
      } else {
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
      }
    }
    return 0;
  }
}
