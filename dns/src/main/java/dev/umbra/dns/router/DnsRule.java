package dev.umbra.dns.router;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.route.rule.Rule;
import java.util.List;
import java.util.Set;

/** A DNS rule's conditions: the route-rule fields plus {@code query_type}. */
sealed interface DnsRule {
  boolean match(Metadata metadata, int queryType);

  /** Route-rule fields (core's matcher) and the query types (empty = any). */
  record Leaf(Rule rule, Set<Integer> queryTypes, boolean invert) implements DnsRule {
    @Override
    public boolean match(Metadata metadata, int queryType) {
      boolean m = (queryTypes.isEmpty() || queryTypes.contains(queryType)) && rule.match(metadata);
      return m != invert;
    }
  }

  record Logical(boolean and, List<DnsRule> rules, boolean invert) implements DnsRule {
    @Override
    public boolean match(Metadata metadata, int queryType) {
      boolean result = and;
      for (DnsRule r : rules) {
        boolean m = r.match(metadata, queryType);
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
  }
}
