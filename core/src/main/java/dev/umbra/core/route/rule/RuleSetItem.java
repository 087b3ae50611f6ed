package dev.umbra.core.route.rule;

import dev.umbra.core.adapter.Metadata;
import java.util.List;

/**
 * The {@code rule_set} field: matches if any referenced set matches, with the rule's
 * rule_set_ip_cidr_match_source and rule_set_ip_cidr_accept_empty in force inside the sets.
 */
record RuleSetItem(List<RuleSet> sets, boolean matchSource, boolean acceptEmpty)
    implements RuleItem {

  @Override
  public boolean match(Metadata m, MatchState s) {
    boolean savedSource = s.ipCidrMatchSource;
    boolean savedEmpty = s.ipCidrAcceptEmpty;
    s.ipCidrMatchSource = matchSource;
    s.ipCidrAcceptEmpty = acceptEmpty;
    try {
      for (RuleSet set : sets) {
        if (set.match(m, s)) {
          return true;
        }
      }
      return false;
    } finally {
      s.ipCidrMatchSource = savedSource;
      s.ipCidrAcceptEmpty = savedEmpty;
    }
  }

  /** With match_source the sets' ip_cidr tests the client, not the answer. */
  boolean containsDestinationIpCidr() {
    if (matchSource) {
      return false;
    }
    for (RuleSet set : sets) {
      if (set.containsDestinationIpCidr()) {
        return true;
      }
    }
    return false;
  }
}
