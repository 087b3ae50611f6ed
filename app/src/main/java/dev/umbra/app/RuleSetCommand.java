package dev.umbra.app;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigFiles;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Destination;
import dev.umbra.core.route.RuleSetContent;
import dev.umbra.core.route.rule.BinaryRules;
import dev.umbra.core.route.rule.Rule;
import dev.umbra.core.route.srs.RuleSetFile;
import dev.umbra.core.route.srs.Srs;
import dev.umbra.core.route.srs.SrsFormatException;
import dev.umbra.core.route.srs.SrsJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code umbra rule-set compile | decompile | match}, as sing-box's rule-set commands: source JSON
 * to binary {@code .srs} and back, and which rules of a rule-set match a domain or an IP address.
 */
@Command(
    name = "rule-set",
    description = "Manage rule-sets",
    subcommands = {
      RuleSetCommand.Compile.class,
      RuleSetCommand.Decompile.class,
      RuleSetCommand.Match.class
    })
final class RuleSetCommand implements Runnable {
  /** Largest rule-set file the commands read. */
  static final int MAX_INPUT = 256 << 20;

  @ParentCommand Main main;

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(main.io().out());
  }

  /** The bytes of {@code name} ("stdin" reads standard input), relative to the working dir. */
  byte[] read(String name) throws IOException {
    byte[] data;
    if (name.equals("stdin")) {
      data = main.io().in().readNBytes(MAX_INPUT + 1);
    } else {
      Path p = main.source.base().resolve(name);
      if (Files.size(p) > MAX_INPUT) {
        throw new IOException(name + " is larger than " + MAX_INPUT + " bytes");
      }
      data = Files.readAllBytes(p);
    }
    if (data.length > MAX_INPUT) {
      throw new IOException(name + " is larger than " + MAX_INPUT + " bytes");
    }
    return data;
  }

  /** Writes via a temporary file, so a failure never leaves a partial output behind. */
  void write(String name, byte[] content) throws IOException {
    Path p = main.source.base().resolve(name);
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    Files.write(tmp, content);
    Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  static String replaceExtension(String path, String from, String to) {
    return path.endsWith(from) ? path.substring(0, path.length() - from.length()) + to : path + to;
  }

  @Command(name = "compile", description = "Compile a source (JSON) rule-set to binary (.srs)")
  static final class Compile implements Callable<Integer> {
    @ParentCommand RuleSetCommand parent;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "source rule-set, or 'stdin'")
    String source;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "output file (default: the source name with .srs for .json)")
    String output;

    @Override
    public Integer call() throws IOException {
      byte[] text = parent.read(source);
      RuleSetFile file;
      try {
        file = SrsJson.parse(new String(text, StandardCharsets.UTF_8), source);
      } catch (ConfigException e) {
        throw new ConfigException(e.path(), source + ": " + e.problem(), e);
      }
      byte[] binary;
      try {
        binary = Srs.write(SrsJson.downgraded(file));
      } catch (IllegalArgumentException e) {
        throw new IOException(source + ": " + e.getMessage(), e);
      }
      parent.write(output != null ? output : replaceExtension(source, ".json", ".srs"), binary);
      return 0;
    }
  }

  @Command(name = "decompile", description = "Decompile a binary (.srs) rule-set to source JSON")
  static final class Decompile implements Callable<Integer> {
    @ParentCommand RuleSetCommand parent;

    @Parameters(index = "0", paramLabel = "BINARY", description = "binary rule-set, or 'stdin'")
    String binary;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "output file (default: the binary name with .json for .srs)")
    String output;

    @Override
    public Integer call() throws IOException {
      String json;
      try {
        json = ConfigFiles.toJson(SrsJson.toJson(Srs.read(parent.read(binary))));
      } catch (SrsFormatException e) {
        throw new IOException(binary + ": " + e.getMessage(), e);
      }
      parent.write(
          output != null ? output : replaceExtension(binary, ".srs", ".json"),
          json.getBytes(StandardCharsets.UTF_8));
      return 0;
    }
  }

  @Command(
      name = "match",
      description = "Show which rules of a rule-set match an IP address or a domain")
  static final class Match implements Callable<Integer> {
    @ParentCommand RuleSetCommand parent;

    @Parameters(index = "0", paramLabel = "RULE-SET", description = "rule-set file, or 'stdin'")
    String path;

    @Parameters(index = "1", paramLabel = "ADDRESS", description = "IP address or domain")
    String address;

    @Option(
        names = {"-f", "--format"},
        paramLabel = "FORMAT",
        description = "source or binary (default: from the file extension, else source)")
    String format;

    @Override
    public Integer call() throws IOException {
      String f = format;
      if (f == null) {
        f = RuleSetContent.formatFromName(path);
      }
      if (f == null) {
        f = RuleSetContent.SOURCE;
      }
      byte[] content = parent.read(path);
      RuleSetFile file;
      switch (f) {
        case RuleSetContent.SOURCE -> {
          try {
            file = SrsJson.parse(new String(content, StandardCharsets.UTF_8), path);
          } catch (ConfigException e) {
            throw new ConfigException(e.path(), path + ": " + e.problem(), e);
          }
        }
        case RuleSetContent.BINARY -> {
          try {
            file = Srs.read(content);
          } catch (SrsFormatException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
          }
        }
        default -> throw new IOException("unknown rule-set format: " + f);
      }
      List<Rule> rules;
      try {
        rules = BinaryRules.compile(file, "");
      } catch (ConfigException e) {
        throw new ConfigException("", path + ": " + e.getMessage(), e);
      }
      // Like sing-box: an IP literal is the destination address, anything else its domain.
      Metadata m = Metadata.of("", "", null, null, Destination.of(address, 0));
      var out = parent.main.io().out();
      for (int i = 0; i < rules.size(); i++) {
        if (rules.get(i).match(m)) {
          out.println(
              "match rules.["
                  + i
                  + "]: "
                  + Jsonc.MAPPER.writeValueAsString(SrsJson.toJson(file.rules().get(i))));
        }
      }
      out.flush();
      return 0;
    }
  }
}
