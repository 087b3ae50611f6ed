package dev.umbra.core.route.rule;

import dev.umbra.core.adapter.Metadata;

/** A route or rule-set rule: its conditions; the action lives beside it in {@link RouteRule}. */
public sealed interface Rule permits DefaultRule, LogicalRule {
  boolean match(Metadata metadata, MatchState state);

  /** Matches with fresh group flags, as each top-level rule is evaluated. */
  default boolean match(Metadata metadata) {
    return match(metadata, new MatchState());
  }

  /**
   * Whether the rule tests destination IPs (ip_cidr, ip_is_private, ip_accept_any, or a rule-set
   * holding ip_cidr rules): a DNS rule like that is checked again against the answer's addresses.
   */
  boolean withAddressLimit();
}
