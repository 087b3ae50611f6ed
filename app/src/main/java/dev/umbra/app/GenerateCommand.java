package dev.umbra.app;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code umbra generate uuid | rand N [--base64|--hex]}. */
@Command(
    name = "generate",
    description = "Generate things.",
    subcommands = {GenerateCommand.Uuid.class, GenerateCommand.Rand.class})
final class GenerateCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "uuid", description = "Generate a random UUID.")
  static final class Uuid implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().println(UUID.randomUUID());
      return 0;
    }
  }

  @Command(name = "rand", description = "Generate random bytes.")
  static final class Rand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LENGTH", description = "Number of bytes.")
    int length;

    @Option(names = "--base64", description = "Print as base64.")
    boolean base64;

    @Option(names = "--hex", description = "Print as hex.")
    boolean hex;

    @Override
    public Integer call() throws Exception {
      if (length < 0 || length > 1 << 20) {
        throw new IllegalArgumentException("length must be 0..1048576");
      }
      if (base64 && hex) {
        throw new IllegalArgumentException("choose one of --base64 and --hex");
      }
      byte[] b = new byte[length];
      new SecureRandom().nextBytes(b);
      if (base64) {
        spec.commandLine().getOut().println(Base64.getEncoder().encodeToString(b));
      } else if (hex) {
        spec.commandLine().getOut().println(HexFormat.of().formatHex(b));
      } else {
        System.out.write(b);
        System.out.flush();
      }
      return 0;
    }
  }
}
