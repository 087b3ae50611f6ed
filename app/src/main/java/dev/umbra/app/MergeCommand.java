package dev.umbra.app;

import dev.umbra.core.config.ConfigFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code umbra merge <output>}: merges the config files as {@code run} does, inlines the files that
 * certificate/key paths point to (as sing-box's merge does), and writes the result; the output's
 * absolute path goes to stderr.
 */
@Command(name = "merge", description = "Merge configurations into one file")
final class MergeCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "OUTPUT", description = "the merged file to write")
  String output;

  @Override
  public Integer call() throws IOException {
    var io = main.io();
    Path base = main.source.base();
    var merged = main.source.readMerged(io.in());
    PathResources.inline(merged, base);
    String text = ConfigFiles.toJson(ConfigFiles.omitEmpty(merged));
    Path out = base.resolve(output).toAbsolutePath().normalize();
    if (!(Files.isRegularFile(out) && Files.readString(out).equals(text))) {
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, text, StandardCharsets.UTF_8);
    }
    io.err().println(out);
    return 0;
  }
}
