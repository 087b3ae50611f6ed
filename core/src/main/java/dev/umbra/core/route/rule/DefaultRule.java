package dev.umbra.core.route.rule;

import dev.umbra.core.adapter.Metadata;
import java.util.List;

/**
 * A rule of match fields: the address fields form one OR-group per side and the port fields one per
 * side, and every other field must hold; values inside a field are OR-ed (sing-box's rule
 * semantics). The destination IP items (ip_cidr, ip_is_private, ip_accept_any) share the
 * destination group with the domain items but are kept apart, because a DNS rule checks them only
 * once the upstream has answered.
 */
public record DefaultRule(
    List<RuleItem> sourceAddress,
    List<RuleItem> sourcePort,
    List<RuleItem> destinationAddress,
    List<RuleItem> destinationIpCidr,
    List<RuleItem> destinationPort,
    List<RuleItem> others,
    boolean invert)
    implements Rule {

  @Override
  public boolean match(Metadata m, MatchState s) {
    boolean ipItems = !destinationIpCidr.isEmpty() && !s.ignoresDestinationIpCidr();
    if (!sourceAddress.isEmpty() && !s.sourceAddress) {
      s.didMatch = true;
      s.sourceAddress = any(sourceAddress, m, s);
    }
    if (!sourcePort.isEmpty() && !s.sourcePort) {
      s.didMatch = true;
      s.sourcePort = any(sourcePort, m, s);
    }
    if (!destinationAddress.isEmpty() && !s.destinationAddress) {
      s.didMatch = true;
      s.destinationAddress = any(destinationAddress, m, s);
    }
    if (ipItems && !s.destinationAddress) {
      s.didMatch = true;
      s.destinationAddress = any(destinationIpCidr, m, s);
    }
    if (!destinationPort.isEmpty() && !s.destinationPort) {
      s.didMatch = true;
      s.destinationPort = any(destinationPort, m, s);
    }
    for (RuleItem item : others) {
      s.didMatch = true;
      if (!item.match(m, s)) {
        return invert;
      }
    }
    if ((!sourceAddress.isEmpty() && !s.sourceAddress)
        || (!sourcePort.isEmpty() && !s.sourcePort)
        || ((ipItems || !destinationAddress.isEmpty()) && !s.destinationAddress)
        || (!destinationPort.isEmpty() && !s.destinationPort)) {
      return invert;
    }
    if (!s.didMatch) {
      // every item was skipped (a DNS rule of ip_cidr alone before the answer): sing-box matches
      return true;
    }
    return !invert;
  }

  @Override
  public boolean withAddressLimit() {
    if (!destinationIpCidr.isEmpty()) {
      return true;
    }
    for (RuleItem i : others) {
      if (i instanceof RuleSetItem r && r.containsDestinationIpCidr()) {
        return true;
      }
    }
    return false;
  }

  private static boolean any(List<RuleItem> items, Metadata m, MatchState s) {
    for (RuleItem i : items) {
      if (i.match(m, s)) {
        return true;
      }
    }
    return false;
  }
}
