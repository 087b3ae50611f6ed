package dev.umbra.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads config files as sing-box does: every {@code -c} file in order, then the {@code *.json}
 * files of each {@code -C} directory sorted by name, merged into one document: objects merge key by
 * key, arrays concatenate, and a later scalar replaces an earlier one.
 */
public final class ConfigFiles {
  private ConfigFiles() {}

  /** One source document. */
  public record Source(String name, JsonNode document) {}

  /** Reads the files; "-" reads standard input. Relative paths resolve against {@code base}. */
  public static List<Source> read(
      List<String> files, List<String> directories, Path base, InputStream stdin)
      throws IOException {
    List<Source> out = new ArrayList<>();
    for (String f : files) {
      if (f.equals("-")) {
        out.add(
            new Source(
                "stdin",
                Jsonc.parse(new String(stdin.readAllBytes(), StandardCharsets.UTF_8), "stdin")));
      } else {
        Path p = base.resolve(f);
        out.add(new Source(f, Jsonc.parse(readFile(p), f)));
      }
    }
    for (String d : directories) {
      Path dir = base.resolve(d);
      List<Path> entries;
      try (Stream<Path> s = Files.list(dir)) {
        entries =
            s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                .sorted()
                .toList();
      } catch (IOException e) {
        throw new ConfigException(
            "", "cannot read config directory " + d + ": " + e.getMessage(), e);
      }
      for (Path p : entries) {
        String name = dir.relativize(p).toString();
        out.add(new Source(d + "/" + name, Jsonc.parse(readFile(p), d + "/" + name)));
      }
    }
    return out;
  }

  private static String readFile(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("", "cannot read config file " + p + ": " + e, e);
    }
  }

  /** Merges the sources in order into one new document. */
  public static JsonNode merge(List<Source> sources) {
    ObjectNode result = Jsonc.MAPPER.createObjectNode();
    for (Source s : sources) {
      if (!s.document().isObject()) {
        throw new ConfigException("", s.name() + ": expected a JSON object at the top level");
      }
      mergeInto(result, (ObjectNode) s.document());
    }
    return result;
  }

  private static void mergeInto(ObjectNode target, ObjectNode source) {
    for (Map.Entry<String, JsonNode> e : source.properties()) {
      JsonNode existing = target.get(e.getKey());
      JsonNode incoming = e.getValue();
      if (existing instanceof ObjectNode eo && incoming instanceof ObjectNode io) {
        mergeInto(eo, io);
      } else if (existing instanceof ArrayNode ea && incoming instanceof ArrayNode ia) {
        ea.addAll(ia.deepCopy());
      } else {
        target.set(e.getKey(), incoming.deepCopy());
      }
    }
  }

  /** Pretty JSON with two-space indentation, as {@code sing-box format} writes it. */
  public static String format(JsonNode document) {
    return Jsonc.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(document) + "\n";
  }
}
