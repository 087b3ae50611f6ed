package dev.umbra.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the config files named on the command line ({@code -c FILE}, repeatable, and {@code -C
 * DIR}) and merges them the way sing-box does ({@code cmd/sing-box/cmd_run.go} and sing's {@code
 * badjson.MergeJSON}):
 *
 * <ul>
 *   <li>every {@code -c} file, then every {@code *.json} regular file of each {@code -C} directory;
 *       the whole list is then sorted by path, and merged in that order;
 *   <li>the path {@code stdin} (and, for convenience, {@code -}) reads standard input;
 *   <li>objects merge key by key, recursively; a key keeps its first position;
 *   <li>arrays concatenate (earlier files' elements first), so {@code inbounds} from two files are
 *       all kept; a scalar merged into an array is appended to it;
 *   <li>for two scalars, or a scalar against an array/object, the earlier file's value wins;
 *   <li>an object merged into a non-object is an error naming the file and the JSON path.
 * </ul>
 *
 * Errors are {@link ConfigException}s naming the file.
 */
public final class ConfigFiles {
  private ConfigFiles() {}

  /** One file read: its path as given (for sorting and messages), its text and parsed tree. */
  public record Entry(String path, String content, JsonNode node) {}

  /**
   * Reads the files and the {@code *.json} files of the directories, sorted by path as sing-box
   * does. Relative paths resolve against {@code base} (the working directory).
   */
  public static List<Entry> read(
      List<String> files, List<String> directories, Path base, InputStream stdin) {
    List<Entry> entries = new ArrayList<>();
    for (String file : files) {
      entries.add(readOne(file, base, stdin));
    }
    for (String directory : directories) {
      Path dir = base.resolve(directory);
      if (!Files.isDirectory(dir)) {
        throw new ConfigException(
            "", "read config directory at " + directory + ": not a directory");
      }
      List<Path> names = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.json")) {
        for (Path p : stream) {
          if (!Files.isDirectory(p)) {
            names.add(p.getFileName());
          }
        }
      } catch (IOException e) {
        throw new ConfigException("", "read config directory at " + directory + ": " + e, e);
      }
      names.sort(Comparator.comparing(Path::toString));
      for (Path name : names) {
        // sing-box names these with filepath.Join, which also cleans the path
        String path = Path.of(directory).resolve(name).normalize().toString();
        entries.add(readOne(path, base, stdin));
      }
    }
    entries.sort(Comparator.comparing(Entry::path));
    return List.copyOf(entries);
  }

  private static Entry readOne(String path, Path base, InputStream stdin) {
    String text;
    try {
      if (path.equals("stdin") || path.equals("-")) {
        text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
      } else {
        text = Files.readString(base.resolve(path), StandardCharsets.UTF_8);
      }
    } catch (IOException | UncheckedIOException e) {
      throw new ConfigException("", "read config at " + path + ": " + describe(e), e);
    }
    JsonNode node = Jsonc.parse(text, path);
    if (!node.isObject()) {
      throw new ConfigException(
          "",
          "decode config at " + path + ": expected a JSON object, got " + Binder.describe(node));
    }
    return new Entry(path, text, node);
  }

  private static String describe(Exception e) {
    Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (t instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (t instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (t instanceof java.nio.charset.MalformedInputException) {
      return "not valid UTF-8";
    }
    return t.toString();
  }

  /** Reads and merges in one step: the merged document. */
  public static JsonNode readAndMerge(
      List<String> files, List<String> directories, Path base, InputStream stdin) {
    return merge(read(files, directories, base, stdin));
  }

  /** Merges entries in order (the first is the base), as sing-box's readConfigAndMerge does. */
  public static JsonNode merge(List<Entry> entries) {
    if (entries.isEmpty()) {
      throw new ConfigException("", "no config files");
    }
    JsonNode merged = entries.getFirst().node().deepCopy();
    for (int i = 1; i < entries.size(); i++) {
      Entry e = entries.get(i);
      try {
        merged = merge(e.node().deepCopy(), merged, "");
      } catch (ConfigException ce) {
        throw new ConfigException(ce.path(), "merge config at " + e.path() + ": " + ce.problem());
      }
    }
    return merged;
  }

  /**
   * Merges {@code source} (a later file) into {@code destination} (what earlier files built), with
   * badjson's rules: see the class comment. May modify and return {@code destination}.
   */
  public static JsonNode merge(JsonNode source, JsonNode destination, String path) {
    if (destination instanceof ArrayNode array) {
      if (source instanceof ArrayNode more) {
        array.addAll(more);
      } else {
        array.add(source);
      }
      return array;
    }
    if (destination instanceof ObjectNode object) {
      if (!(source instanceof ObjectNode sourceObject)) {
        throw new ConfigException(
            path, "cannot merge " + Binder.describe(source) + " into an object");
      }
      for (Map.Entry<String, JsonNode> e : sourceObject.properties()) {
        JsonNode old = object.get(e.getKey());
        JsonNode value =
            old == null
                ? e.getValue()
                : merge(e.getValue(), old, JsonPaths.field(path, e.getKey()));
        object.set(e.getKey(), value); // an existing key keeps its position
      }
      return object;
    }
    return destination;
  }

  /**
   * Drops what sing-box's encoder omits as empty: nulls, empty arrays and objects (also those that
   * only held empty values). Returns a new tree.
   */
  public static JsonNode omitEmpty(JsonNode node) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (node instanceof ObjectNode object) {
      ObjectNode out = f.objectNode();
      for (Map.Entry<String, JsonNode> e : object.properties()) {
        JsonNode v = omitEmpty(e.getValue());
        if (!isEmpty(v)) {
          out.set(e.getKey(), v);
        }
      }
      return out;
    }
    if (node instanceof ArrayNode array) {
      ArrayNode out = f.arrayNode();
      for (JsonNode v : array) {
        out.add(omitEmpty(v));
      }
      return out;
    }
    return node;
  }

  private static boolean isEmpty(JsonNode v) {
    return v.isNull() || ((v.isArray() || v.isObject()) && v.isEmpty());
  }

  /**
   * Writes JSON as sing-box's {@code format} and {@code merge} do (Go's encoder with a two-space
   * indent): {@code "key": value}, one array element per line, HTML characters escaped, and a final
   * newline.
   */
  public static String toJson(JsonNode node) {
    StringBuilder b = new StringBuilder();
    write(node, b, 0);
    return b.append('\n').toString();
  }

  private static void write(JsonNode node, StringBuilder b, int depth) {
    switch (node) {
      case ObjectNode o when o.isEmpty() -> b.append("{}");
      case ArrayNode a when a.isEmpty() -> b.append("[]");
      case ObjectNode o -> {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : o.properties()) {
          b.append(first ? "\n" : ",\n");
          first = false;
          indent(b, depth + 1);
          quote(e.getKey(), b);
          b.append(": ");
          write(e.getValue(), b, depth + 1);
        }
        b.append('\n');
        indent(b, depth);
        b.append('}');
      }
      case ArrayNode a -> {
        b.append('[');
        for (int i = 0; i < a.size(); i++) {
          b.append(i == 0 ? "\n" : ",\n");
          indent(b, depth + 1);
          write(a.get(i), b, depth + 1);
        }
        b.append('\n');
        indent(b, depth);
        b.append(']');
      }
      default -> {
        if (node.isString()) {
          quote(node.stringValue(), b);
        } else {
          b.append(node.toString());
        }
      }
    }
  }

  private static void indent(StringBuilder b, int depth) {
    b.repeat("  ", depth);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private static void quote(String s, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          // Go escapes control characters, the HTML characters and the JS line separators
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            b.append("\\u")
                .append(HEX[(c >> 12) & 0xF])
                .append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF])
                .append(HEX[c & 0xF]);
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
