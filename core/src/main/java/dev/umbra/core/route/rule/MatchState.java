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

  /** Inside a rule-set referenced with rule_set_ip_cidr_match_source: ip_cidr tests the source. */
  boolean ipCidrMatchSource;

  void reset() {
    sourceAddress = false;
    sourcePort = false;
    destinationAddress = false;
    destinationPort = false;
  }
}
