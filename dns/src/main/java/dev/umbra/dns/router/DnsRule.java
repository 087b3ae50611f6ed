package dev.umbra.dns.router;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.route.rule.DefaultRule;
import dev.umbra.core.route.rule.MatchState;
import java.util.List;
import java.util.Set;

/**
 * A DNS rule's conditions: the route-rule fields plus {@code query_type}. A rule with
 * response-address fields (ip_cidr, ip_is_private, ip_accept_any, or a rule-set holding ip_cidr) is
 * matched twice, as in sing-box: before the query with those fields skipped ({@link
 * MatchState#ignoringDestinationIpCidr()}), then against the answer's addresses.
 */
sealed interface DnsRule {
  boolean match(Metadata metadata, int queryType, MatchState state);

  boolean withAddressLimit();

  /** The pre-answer pass. */
  default boolean match(Metadata metadata, int queryType) {
    return match(metadata, queryType, MatchState.ignoringDestinationIpCidr());
  }

  /** The answer pass: {@code metadata} carries the answer's addresses as destination addresses. */
  default boolean matchAddressLimit(Metadata metadata, int queryType) {
    return match(metadata, queryType, new MatchState());
  }

  /** Route-rule fields (core's matcher, which applies {@code invert}) and the query types. */
  record Leaf(DefaultRule rule, Set<Integer> queryTypes) implements DnsRule {
    @Override
    public boolean match(Metadata metadata, int queryType, MatchState state) {
      if (!queryTypes.isEmpty()) {
        // sing-box checks query_type among the plain items: a miss returns invert at once
        state.markEvaluated();
        if (!queryTypes.contains(queryType)) {
          return rule.invert();
        }
      }
      return rule.match(metadata, state);
    }

    @Override
    public boolean withAddressLimit() {
      return rule.withAddressLimit();
    }
  }

  record Logical(boolean and, List<DnsRule> rules, boolean invert) implements DnsRule {
    @Override
    public boolean match(Metadata metadata, int queryType, MatchState state) {
      boolean result = and;
      for (DnsRule r : rules) {
        state.reset();
        boolean m = r.match(metadata, queryType, state);
        if (and && !m) {
          result = false;
          break;
        }
        if (!and && m) {
          result = true;
          break;
        }
      }
      return result != invert;
    }

    @Override
    public boolean withAddressLimit() {
      for (DnsRule r : rules) {
        if (r.withAddressLimit()) {
          return true;
        }
      }
      return false;
    }
  }
}
