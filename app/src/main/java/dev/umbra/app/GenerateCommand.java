package dev.umbra.app;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code umbra generate uuid | rand N [--base64|--hex] | wg-keypair | tls-keypair NAME [-m N]}, as
 * sing-box's generate command.
 */
@Command(
    name = "generate",
    description = "Generate things",
    subcommands = {
      GenerateCommand.Uuid.class,
      GenerateCommand.Rand.class,
      GenerateCommand.WgKeypair.class,
      GenerateCommand.TlsKeypair.class
    })
final class GenerateCommand implements Runnable {
  @ParentCommand Main main;

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(main.io().out());
  }

  @Command(name = "uuid", description = "Generate a random (version 4) UUID")
  static final class Uuid implements Runnable {
    @ParentCommand GenerateCommand parent;

    @Override
    public void run() {
      parent.main.io().out().println(UUID.randomUUID());
      parent.main.io().out().flush();
    }
  }

  @Command(name = "rand", description = "Generate random bytes (raw, or as base64 or hex text)")
  static final class Rand implements java.util.concurrent.Callable<Integer> {
    /** Output larger than this is surely a typo; sing-box has no limit but would run out. */
    static final int MAX_LENGTH = 64 * 1024 * 1024;

    @ParentCommand GenerateCommand parent;

    @Parameters(index = "0", paramLabel = "LENGTH", description = "number of random bytes")
    int length;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Encoding encoding;

    static final class Encoding {
      @picocli.CommandLine.Option(names = "--base64", description = "print base64 text")
      boolean base64;

      @picocli.CommandLine.Option(names = "--hex", description = "print hex text")
      boolean hex;
    }

    @Override
    public Integer call() throws IOException {
      if (length < 0 || length > MAX_LENGTH) {
        throw new IllegalArgumentException(
            "rand: length must be between 0 and " + MAX_LENGTH + ", got " + length);
      }
      byte[] bytes = new byte[length];
      new SecureRandom().nextBytes(bytes);
      var out = parent.main.io().out();
      if (encoding != null && encoding.base64) {
        out.println(Base64.getEncoder().encodeToString(bytes));
      } else if (encoding != null && encoding.hex) {
        out.println(HexFormat.of().formatHex(bytes));
      } else {
        out.write(bytes);
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "wg-keypair", description = "Generate a WireGuard key pair")
  static final class WgKeypair implements Runnable {
    @ParentCommand GenerateCommand parent;

    @Override
    public void run() {
      var id = dev.umbra.wireguard.noise.StaticIdentity.generate();
      var out = parent.main.io().out();
      out.println(
          "PrivateKey: " + dev.umbra.wireguard.noise.StaticIdentity.encodeKey(id.privateKey()));
      out.println(
          "PublicKey: " + dev.umbra.wireguard.noise.StaticIdentity.encodeKey(id.publicKey()));
      out.flush();
    }
  }

  @Command(
      name = "tls-keypair",
      description = "Generate a self-signed TLS certificate and its private key (PEM)")
  static final class TlsKeypair implements java.util.concurrent.Callable<Integer> {
    @ParentCommand GenerateCommand parent;

    @Parameters(index = "0", paramLabel = "SERVER_NAME", description = "the certificate's name")
    String serverName;

    @picocli.CommandLine.Option(
        names = {"-m", "--months"},
        defaultValue = "1",
        description = "months of validity (default ${DEFAULT-VALUE})")
    int months;

    @Override
    public Integer call() throws java.security.GeneralSecurityException {
      if (months < 1 || months > 1200) {
        throw new IllegalArgumentException("tls-keypair: months must be 1 to 1200, got " + months);
      }
      java.time.Instant now = java.time.Instant.now();
      var pair =
          dev.umbra.tls.SelfSignedCertificate.generate(
              serverName, now, now.atZone(java.time.ZoneOffset.UTC).plusMonths(months).toInstant());
      var out = parent.main.io().out();
      out.println(pair.keyPem());
      out.println(pair.certificatePem());
      out.flush();
      return 0;
    }
  }
}
