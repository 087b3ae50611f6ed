package dev.umbra.app;

import dev.umbra.core.config.ConfigException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code umbra} command line. */
@Command(
    name = "umbra",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "A pure-Java network privacy platform that runs sing-box configurations.",
    subcommands = {
      RunCommand.class,
      CheckCommand.class,
      FormatCommand.class,
      MergeCommand.class,
      VersionCommand.class,
      GenerateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs a command line; returns the exit code (config errors: 1 with the message, no trace). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof ConfigException) {
        err.println("error: " + e.getMessage());
      } else {
        err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      }
      err.flush();
      return 1;
    });
    return cmd.execute(args);
  }
}
