package dev.umbra.core.route.rule;

import dev.umbra.core.adapter.Metadata;
import java.util.List;

/**
 * A rule of match fields: the address fields form one OR-group per side and the port fields one per
 * side, and every other field must hold; values inside a field are OR-ed (sing-box's rule
 * semantics).
 */
public record DefaultRule(
    List<RuleItem> sourceAddress,
    List<RuleItem> sourcePort,
    List<RuleItem> destinationAddress,
    List<RuleItem> destinationPort,
    List<RuleItem> others,
    boolean invert)
    implements Rule {

  @Override
  public boolean match(Metadata m, MatchState s) {
    if (!sourceAddress.isEmpty() && !s.sourceAddress) {
      s.sourceAddress = any(sourceAddress, m, s);
    }
    if (!sourcePort.isEmpty() && !s.sourcePort) {
      s.sourcePort = any(sourcePort, m, s);
    }
    if (!destinationAddress.isEmpty() && !s.destinationAddress) {
      s.destinationAddress = any(destinationAddress, m, s);
    }
    if (!destinationPort.isEmpty() && !s.destinationPort) {
      s.destinationPort = any(destinationPort, m, s);
    }
    for (RuleItem item : others) {
      if (!item.match(m, s)) {
        return invert;
      }
    }
    if ((!sourceAddress.isEmpty() && !s.sourceAddress)
        || (!sourcePort.isEmpty() && !s.sourcePort)
        || (!destinationAddress.isEmpty() && !s.destinationAddress)
        || (!destinationPort.isEmpty() && !s.destinationPort)) {
      return invert;
    }
    return !invert;
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
