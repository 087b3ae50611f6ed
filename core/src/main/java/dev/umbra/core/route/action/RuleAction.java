package dev.umbra.core.route.action;

import dev.umbra.core.config.DomainStrategy;
import java.time.Duration;
import java.util.List;

/** What a matching rule does. Final actions end rule evaluation; the others enrich and go on. */
public sealed interface RuleAction {

  /** Final: dial this outbound. */
  record Route(String outbound, OverrideOptions overrides) implements RuleAction {}

  /** Final: refuse. {@code drop} closes without any answer. */
  record Reject(boolean drop, boolean noDrop) implements RuleAction {}

  /** Non-final: set options for the eventual dial. */
  record RouteOptions(OverrideOptions overrides) implements RuleAction {}

  /** Non-final: read the first bytes and recognise the protocol and domain. */
  record Sniff(List<String> sniffers, Duration timeout) implements RuleAction {}

  /** Non-final: resolve the destination domain so IP rules can match it. */
  record Resolve(DomainStrategy strategy, dev.umbra.core.adapter.DnsQueryOptions query)
      implements RuleAction {
    public Resolve(DomainStrategy strategy) {
      this(strategy, dev.umbra.core.adapter.DnsQueryOptions.DEFAULT);
    }
  }

  /** Final: answer the connection's DNS queries with the DNS module. */
  record HijackDns() implements RuleAction {}

  default boolean isFinal() {
    return this instanceof Route || this instanceof Reject || this instanceof HijackDns;
  }
}
