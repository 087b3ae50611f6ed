package dev.umbra.core.route.rule;

import dev.umbra.core.adapter.Metadata;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A named list of headless rules; matches if any rule matches. Contents may be replaced live. */
public final class RuleSet {
  private final String tag;
  private final AtomicReference<List<Rule>> rules;

  /** Whether any rule tests destination IPs; recomputed when the contents change. */
  private volatile boolean containsDestinationIpCidr;

  public RuleSet(String tag, List<Rule> rules) {
    this.tag = tag;
    this.rules = new AtomicReference<>(List.copyOf(rules));
    this.containsDestinationIpCidr = rules.stream().anyMatch(Rule::withAddressLimit);
  }

  public String tag() {
    return tag;
  }

  public List<Rule> rules() {
    return rules.get();
  }

  public void replace(List<Rule> newRules) {
    rules.set(List.copyOf(newRules));
    containsDestinationIpCidr = newRules.stream().anyMatch(Rule::withAddressLimit);
  }

  /** sing-box's ContainsIPCIDRRule: a DNS rule referencing this set checks answers. */
  public boolean containsDestinationIpCidr() {
    return containsDestinationIpCidr;
  }

  boolean match(Metadata m, MatchState s) {
    for (Rule r : rules.get()) {
      if (r.match(m, s)) {
        return true;
      }
    }
    return false;
  }
}
