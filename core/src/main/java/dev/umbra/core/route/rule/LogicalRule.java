package dev.umbra.core.route.rule;

import dev.umbra.core.adapter.Metadata;
import java.util.List;

/** {@code {"type":"logical","mode":"and"|"or","rules":[...]}}; each sub-rule starts fresh. */
public record LogicalRule(boolean and, List<Rule> rules, boolean invert) implements Rule {
  @Override
  public boolean match(Metadata m, MatchState s) {
    boolean result = and;
    for (Rule r : rules) {
      s.reset();
      boolean matched = r.match(m, s);
      if (and && !matched) {
        result = false;
        break;
      }
      if (!and && matched) {
        result = true;
        break;
      }
    }
    return result != invert;
  }

  @Override
  public boolean withAddressLimit() {
    for (Rule r : rules) {
      if (r.withAddressLimit()) {
        return true;
      }
    }
    return false;
  }
}
