package dev.umbra.app;

import dev.umbra.core.config.ConfigException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code umbra} command line: a thin shell over the kernel, shaped like sing-box's CLI. */
@Command(
    name = "umbra",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Umbra: a pure-Java network privacy platform that runs sing-box configs.",
    subcommands = {
      RunCommand.class,
      CheckCommand.class,
      FormatCommand.class,
      MergeCommand.class,
      VersionCommand.class,
      GenerateCommand.class,
      RuleSetCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @Mixin ConfigSource source;

  /** Where commands read and write; System.in/out/err for the real program, buffers in tests. */
  record Io(InputStream in, PrintStream out, PrintStream err) {}

  private final Io io;

  Main(Io io) {
    this.io = io;
  }

  Io io() {
    return io;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(io.out());
  }

  public static void main(String[] args) {
    int code = execute(args, new Io(System.in, System.out, System.err));
    System.exit(code);
  }

  /** Runs the command line and returns the exit code (0 ok, 1 error, 2 usage error). */
  public static int execute(String[] args, InputStream in, PrintStream out, PrintStream err) {
    return execute(args, new Io(in, out, err));
  }

  static int execute(String[] args, Io io) {
    Main main = new Main(io);
    CommandLine cl = new CommandLine(main, new Factory(main));
    cl.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
    // errors are one line on stderr, never a stack trace
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("umbra: " + message(e));
      commandLine.getErr().flush();
      return 1;
    });
    return cl.execute(args);
  }

  static String message(Throwable e) {
    if (e instanceof ConfigException ce) {
      return ce.getMessage();
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.toString() : m;
  }

  /** Gives every subcommand its parent, so they share the I/O streams. */
  private record Factory(Main main) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == Main.class) {
        return cls.cast(main);
      }
      return CommandLine.defaultFactory().create(cls);
    }
  }
}
