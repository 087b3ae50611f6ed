package dev.umbra.core.route;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.JsonName;
import dev.umbra.core.config.Removed;
import dev.umbra.core.config.Unsupported;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The sing-box {@code route} block; rules and rule-sets stay raw until the router parses them. */
public record RouteOptions(
    List<JsonNode> rules,
    List<JsonNode> ruleSet,
    @JsonName("final") String finalOutbound,
    @Removed("removed in sing-box 1.12.0; use rule-sets") JsonNode geoip,
    @Removed("removed in sing-box 1.12.0; use rule-sets") JsonNode geosite,
    @Unsupported Boolean autoDetectInterface,
    @Unsupported Boolean overrideAndroidVpn,
    @Unsupported String defaultInterface,
    @Unsupported Integer defaultMark,
    @Unsupported Boolean findProcess,
    @Unsupported Boolean findNeighbor,
    @Unsupported JsonNode dhcpLeaseFiles,
    JsonNode defaultDomainResolver,
    @Unsupported String defaultNetworkStrategy,
    @Unsupported JsonNode defaultNetworkType,
    @Unsupported JsonNode defaultFallbackNetworkType,
    @Unsupported Duration defaultFallbackDelay) {

  public static final RouteOptions EMPTY =
      new RouteOptions(
          List.of(), List.of(), null, null, null, null, null, null, null, null, null, null, null,
          null, null, null, null);

  public static RouteOptions parse(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return EMPTY;
    }
    return Binder.bind(node, RouteOptions.class, path);
  }

  public List<JsonNode> rulesOrEmpty() {
    return rules == null ? List.of() : rules;
  }

  public List<JsonNode> ruleSetsOrEmpty() {
    return ruleSet == null ? List.of() : ruleSet;
  }
}
