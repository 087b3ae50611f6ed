package dev.umbra.core.route.rule;

import dev.umbra.core.adapter.Metadata;

/** One condition of a rule (one field, its values OR-ed). */
public interface RuleItem {
  boolean match(Metadata metadata, MatchState state);
}
