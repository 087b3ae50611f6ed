package dev.umbra.app;

import dev.umbra.core.config.ConfigFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code umbra merge OUTPUT}: writes the merged configuration to a file. */
@Command(name = "merge", description = "Merge configurations into one file.")
final class MergeCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Parameters(index = "0", paramLabel = "OUTPUT", description = "File to write.")
  Path output;

  @Override
  public Integer call() throws Exception {
    String text = ConfigFiles.format(config.merged(System.in));
    Files.writeString(config.base().resolve(output), text, StandardCharsets.UTF_8);
    return 0;
  }
}
