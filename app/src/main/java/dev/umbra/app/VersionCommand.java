package dev.umbra.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code umbra version [-n]}: the version and the runtime, as sing-box prints them. */
@Command(name = "version", description = "Print the current version of Umbra")
final class VersionCommand implements Runnable {
  @ParentCommand Main main;

  @Option(
      names = {"-n", "--name"},
      description = "print the version name only")
  boolean nameOnly;

  @Override
  public void run() {
    var out = main.io().out();
    if (nameOnly) {
      out.println(version());
      return;
    }
    out.print(
        "umbra version "
            + version()
            + "\n\nEnvironment: Java "
            + Runtime.version()
            + " ("
            + System.getProperty("java.vm.vendor", "unknown vendor")
            + ") "
            + System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
            + "/"
            + System.getProperty("os.arch", "")
            + "\n");
    out.flush();
  }

  /** The project version, from a resource Maven fills in at build time. */
  static String version() {
    try (InputStream in = VersionCommand.class.getResourceAsStream("/dev/umbra/app/version")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"umbra version " + version()};
    }
  }
}
