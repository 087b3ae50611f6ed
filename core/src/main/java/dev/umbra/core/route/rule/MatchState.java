package dev.umbra.core.route.rule;

/**
 * Which item groups of a rule have matched so far. sing-box shares these flags between a rule and
 * the rule-sets it references, so a rule-set's domain items and the rule's own ip_cidr items form
 * one OR-group.
 */
public final class MatchState {
  boolean sourceAddress;
  boolean sourcePort;
  boolean destinationAddress;
  boolean destinationPort;

  /** Whether any item group was evaluated (sing-box's DidMatch): a rule with none matches. */
  boolean didMatch;

  /** Inside a rule-set referenced with rule_set_ip_cidr_match_source: ip_cidr tests the source. */
  boolean ipCidrMatchSource;

  /** Inside a rule-set referenced with rule_set_ip_cidr_accept_empty: no address matches. */
  boolean ipCidrAcceptEmpty;

  /**
   * A DNS rule's first pass, before any answer exists: the destination IP items (ip_cidr,
   * ip_is_private, ip_accept_any) are skipped and checked later against the response addresses.
   */
  private boolean ignoreDestinationIpCidr;

  public MatchState() {}

  /** A state for a DNS rule's pre-answer pass (see {@link #ignoresDestinationIpCidr()}). */
  public static MatchState ignoringDestinationIpCidr() {
    MatchState s = new MatchState();
    s.ignoreDestinationIpCidr = true;
    return s;
  }

  public boolean ignoresDestinationIpCidr() {
    return ignoreDestinationIpCidr;
  }

  /** Records that a condition outside the rule's own items (a DNS query type) was evaluated. */
  public void markEvaluated() {
    didMatch = true;
  }

  /** Fresh group flags, as each logical sub-rule starts. */
  public void reset() {
    sourceAddress = false;
    sourcePort = false;
    destinationAddress = false;
    destinationPort = false;
    didMatch = false;
  }
}
