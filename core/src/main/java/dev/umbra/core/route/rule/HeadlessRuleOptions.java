package dev.umbra.core.route.rule;

import dev.umbra.core.config.Unsupported;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The match fields a rule-set rule may use (sing-box's DefaultHeadlessRule). */
public record HeadlessRuleOptions(
    @Unsupported("needs the DNS module") JsonNode queryType,
    List<String> network,
    List<String> domain,
    List<String> domainSuffix,
    List<String> domainKeyword,
    List<String> domainRegex,
    List<String> sourceIpCidr,
    List<String> ipCidr,
    List<Integer> sourcePort,
    List<String> sourcePortRange,
    List<Integer> port,
    List<String> portRange,
    @Unsupported List<String> processName,
    @Unsupported List<String> processPath,
    @Unsupported List<String> processPathRegex,
    @Unsupported List<String> packageName,
    @Unsupported JsonNode networkType,
    @Unsupported Boolean networkIsExpensive,
    @Unsupported Boolean networkIsConstrained,
    @Unsupported JsonNode networkInterfaceAddress,
    @Unsupported JsonNode defaultInterfaceAddress,
    @Unsupported List<String> wifiSsid,
    @Unsupported List<String> wifiBssid,
    Boolean invert) {

  /** The same fields in route-rule form, so one compiler builds both. */
  RuleMatchOptions asMatchOptions() {
    return new RuleMatchOptions(
        null,
        null,
        network,
        null,
        null,
        null,
        domain,
        domainSuffix,
        domainKeyword,
        domainRegex,
        sourceIpCidr,
        null,
        ipCidr,
        null,
        sourcePort,
        sourcePortRange,
        port,
        portRange,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        invert);
  }
}
