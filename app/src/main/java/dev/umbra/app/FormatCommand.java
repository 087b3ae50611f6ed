package dev.umbra.app;

import dev.umbra.core.config.ConfigFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code umbra format [-w]}: re-emits each config file (not the merge) with two-space indentation,
 * comments and trailing commas dropped and empty values omitted, as sing-box's format does. With
 * several files each is preceded by its absolute path; {@code -w} writes changed files back and
 * names them on stderr.
 */
@Command(name = "format", description = "Format configuration files")
final class FormatCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(
      names = {"-w", "--write"},
      description = "write the result to the (source) file instead of stdout")
  boolean write;

  @Override
  public Integer call() throws IOException {
    var io = main.io();
    Path base = main.source.base();
    List<ConfigFiles.Entry> entries = main.source.readEach(io.in());
    for (ConfigFiles.Entry e : entries) {
      String formatted = ConfigFiles.toJson(ConfigFiles.omitEmpty(e.node()));
      boolean isStdin = e.path().equals("stdin") || e.path().equals("-");
      Path file = base.resolve(e.path()).toAbsolutePath().normalize();
      if (!write || isStdin) {
        if (entries.size() > 1) {
          io.out().println(isStdin ? e.path() : file.toString());
        }
        io.out().print(formatted);
        io.out().flush();
        continue;
      }
      if (formatted.equals(e.content())) {
        continue;
      }
      Files.writeString(file, formatted, StandardCharsets.UTF_8);
      io.err().println(file);
    }
    return 0;
  }
}
