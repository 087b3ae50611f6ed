package dev.umbra.core.route;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.route.rule.Rule;
import dev.umbra.core.route.rule.RuleSet;
import dev.umbra.core.route.rule.RuleSetOptions;
import dev.umbra.core.route.rule.RuleSetSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Builds the rule-sets of {@code route.rule_set}: inline and local source files. */
public final class RuleSetLoader {
  private RuleSetLoader() {}

  public static Map<String, RuleSet> load(
      List<JsonNode> items, String routePath, RouterContext ctx) {
    Map<String, RuleSet> out = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = JsonPaths.index(JsonPaths.field(routePath, "rule_set"), i);
      RuleSetOptions o = Binder.bind(items.get(i), RuleSetOptions.class, path);
      if (o.tag() == null || o.tag().isEmpty()) {
        throw new ConfigException(JsonPaths.field(path, "tag"), "missing rule-set tag");
      }
      if (out.containsKey(o.tag())) {
        throw new ConfigException(
            JsonPaths.field(path, "tag"), "duplicate rule-set tag '" + o.tag() + "'");
      }
      String type = o.type() == null ? "" : o.type();
      List<Rule> rules =
          switch (type) {
            case "inline", "" -> {
              if (o.path() != null || o.format() != null) {
                throw new ConfigException(
                    JsonPaths.field(path, o.path() != null ? "path" : "format"),
                    "not allowed in an inline rule-set");
              }
              yield RuleSetSource.parseRules(
                  o.rules() == null ? List.of() : o.rules(), JsonPaths.field(path, "rules"));
            }
            case "local" -> loadLocal(o, path, ctx.workingDirectory());
            case "remote" ->
                throw new ConfigException(
                    JsonPaths.field(path, "type"), "remote rule-sets are not supported yet");
            default ->
                throw new ConfigException(
                    JsonPaths.field(path, "type"),
                    "unknown rule-set type '" + type + "' (expected inline, local, remote)");
          };
      out.put(o.tag(), new RuleSet(o.tag(), rules));
    }
    return out;
  }

  private static List<Rule> loadLocal(RuleSetOptions o, String path, Path workingDirectory) {
    if (o.rules() != null) {
      throw new ConfigException(JsonPaths.field(path, "rules"), "not allowed in a local rule-set");
    }
    if (o.path() == null) {
      throw new ConfigException(JsonPaths.field(path, "path"), "missing path of a local rule-set");
    }
    String format = o.format() == null ? formatFromName(o.path()) : o.format();
    if (format.equals("binary")) {
      throw new ConfigException(
          JsonPaths.field(path, "format"), "binary (.srs) rule-sets are not supported yet");
    }
    if (!format.equals("source")) {
      throw new ConfigException(
          JsonPaths.field(path, "format"), "expected 'source' or 'binary', got '" + format + "'");
    }
    Path file = workingDirectory.resolve(o.path());
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(JsonPaths.field(path, "path"), "cannot read " + file + ": " + e);
    }
    try {
      return RuleSetSource.parse(text, file.toString());
    } catch (ConfigException e) {
      throw new ConfigException(JsonPaths.field(path, "path"), file + ": " + e.getMessage(), e);
    }
  }

  private static String formatFromName(String name) {
    if (name.endsWith(".json")) {
      return "source";
    }
    if (name.endsWith(".srs")) {
      return "binary";
    }
    return "";
  }
}
