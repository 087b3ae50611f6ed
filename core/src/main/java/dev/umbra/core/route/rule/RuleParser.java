package dev.umbra.core.route.rule;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Parses the match part of rule objects: default rules and {@code logical} rules, nested. */
public final class RuleParser {
  /** The fields of a logical rule besides its action. */
  public record LogicalFields(String type, String mode, List<JsonNode> rules, Boolean invert) {}

  private final RuleCompiler compiler;
  private final boolean headless;

  /**
   * @param headless rule-set rules: only the headless fields are allowed, and no actions
   */
  public RuleParser(RuleCompiler compiler, boolean headless) {
    this.compiler = compiler;
    this.headless = headless;
  }

  /** The JSON keys of the match part of {@code node} (so the action binder can ignore them). */
  public Set<String> matchKeys(JsonNode node) {
    Set<String> keys = new HashSet<>();
    if (isLogical(node)) {
      keys.addAll(Binder.keysOf(LogicalFields.class));
    } else {
      keys.addAll(Binder.keysOf(headless ? HeadlessRuleOptions.class : RuleMatchOptions.class));
    }
    return keys;
  }

  private static boolean isLogical(JsonNode node) {
    JsonNode t = node.get("type");
    return t != null && t.isString() && t.stringValue().equals("logical");
  }

  /**
   * Parses the match part of {@code node}; {@code otherKeys} are the keys the caller consumes
   * (action fields) and are allowed beside the match fields.
   */
  public Rule parse(JsonNode node, String path, Set<String> otherKeys) {
    if (!node.isObject()) {
      throw new ConfigException(path, "expected a rule object, got " + Binder.describe(node));
    }
    JsonNode t = node.get("type");
    if (t != null
        && !(t.isString()
            && (t.stringValue().equals("logical")
                || t.stringValue().equals("default")
                || t.stringValue().isEmpty()))) {
      throw new ConfigException(
          JsonPaths.field(path, "type"),
          "expected 'default' or 'logical', got " + Binder.describe(t));
    }
    Set<String> allowed = new HashSet<>(otherKeys);
    if (isLogical(node)) {
      LogicalFields f = Binder.bind(node, LogicalFields.class, path, allowed);
      String mode = f.mode();
      if (!"and".equals(mode) && !"or".equals(mode)) {
        throw new ConfigException(
            JsonPaths.field(path, "mode"),
            "expected 'and' or 'or', got " + (mode == null ? "nothing" : "'" + mode + "'"));
      }
      if (f.rules() == null || f.rules().isEmpty()) {
        throw new ConfigException(JsonPaths.field(path, "rules"), "a logical rule needs rules");
      }
      List<Rule> subs = new ArrayList<>();
      for (int i = 0; i < f.rules().size(); i++) {
        // Sub-rules carry no action of their own.
        subs.add(
            parse(f.rules().get(i), JsonPaths.index(JsonPaths.field(path, "rules"), i), Set.of()));
      }
      return new LogicalRule(
          mode.equals("and"), List.copyOf(subs), Boolean.TRUE.equals(f.invert()));
    }
    allowed.add("type");
    if (headless) {
      HeadlessRuleOptions o = Binder.bind(node, HeadlessRuleOptions.class, path, allowed);
      return compiler.compile(o.asMatchOptions(), path);
    }
    RuleMatchOptions o = Binder.bind(node, RuleMatchOptions.class, path, allowed);
    return compiler.compile(o, path);
  }
}
