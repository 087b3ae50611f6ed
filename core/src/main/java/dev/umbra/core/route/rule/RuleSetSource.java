package dev.umbra.core.route.rule;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Jsonc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** The source (JSON) rule-set format: {@code {"version": 1..4, "rules": [headless rules]}}. */
public final class RuleSetSource {
  private RuleSetSource() {}

  /** Newest source format version sing-box 1.13 writes. */
  public static final int MAX_VERSION = 4;

  /** The document's fields. */
  public record Document(Integer version, List<JsonNode> rules) {}

  public static List<Rule> parse(String text, String source) {
    JsonNode root = Jsonc.parse(text, source);
    Document doc = Binder.bind(root, Document.class, "");
    if (doc.version() == null || doc.version() < 1 || doc.version() > MAX_VERSION) {
      throw new ConfigException(
          "version",
          source + ": expected a rule-set version 1-" + MAX_VERSION + ", got " + doc.version());
    }
    return parseRules(doc.rules() == null ? List.of() : doc.rules(), "rules");
  }

  /** Parses headless rules (inline rule-sets and source files). */
  public static List<Rule> parseRules(List<JsonNode> rules, String path) {
    RuleParser parser = new RuleParser(new RuleCompiler(null, Map.of()), true);
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      out.add(parser.parse(rules.get(i), JsonPaths.index(path, i), Set.of()));
    }
    return out;
  }
}
