package dev.umbra.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code umbra version}. */
@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Callable<Integer> {
  static final String VERSION = "0.1.0";

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    for (String line : new Provider().getVersion()) {
      spec.commandLine().getOut().println(line);
    }
    return 0;
  }

  /** Version lines for --version and the version command. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "umbra version " + VERSION,
        "Environment: Java "
            + Runtime.version()
            + " "
            + System.getProperty("os.name")
            + "/"
            + System.getProperty("os.arch")
      };
    }
  }
}
