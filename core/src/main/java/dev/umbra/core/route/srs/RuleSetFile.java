package dev.umbra.core.route.srs;

import java.util.List;

/** A rule-set document: its version (1..4) and rules, whether read from source or binary. */
public record RuleSetFile(int version, List<SrsRule> rules) {
  /** Newest version sing-box 1.13 reads and writes. */
  public static final int MAX_VERSION = 4;

  public RuleSetFile {
    rules = List.copyOf(rules);
  }
}
