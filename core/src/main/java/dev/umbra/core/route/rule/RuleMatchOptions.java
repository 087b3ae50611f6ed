package dev.umbra.core.route.rule;

import dev.umbra.core.config.Removed;
import dev.umbra.core.config.Unsupported;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The match fields of a default route rule (sing-box's RawDefaultRule), without the action. */
public record RuleMatchOptions(
    List<String> inbound,
    Integer ipVersion,
    List<String> network,
    List<String> authUser,
    List<String> protocol,
    @Unsupported("needs the QUIC client sniffer") List<String> client,
    List<String> domain,
    List<String> domainSuffix,
    List<String> domainKeyword,
    List<String> domainRegex,
    List<String> sourceIpCidr,
    Boolean sourceIpIsPrivate,
    List<String> ipCidr,
    Boolean ipIsPrivate,
    List<Integer> sourcePort,
    List<String> sourcePortRange,
    List<Integer> port,
    List<String> portRange,
    @Unsupported List<String> processName,
    @Unsupported List<String> processPath,
    @Unsupported List<String> processPathRegex,
    @Unsupported List<String> packageName,
    @Unsupported List<String> user,
    @Unsupported List<Integer> userId,
    @Unsupported("needs the Clash API") String clashMode,
    @Unsupported JsonNode networkType,
    @Unsupported Boolean networkIsExpensive,
    @Unsupported Boolean networkIsConstrained,
    @Unsupported List<String> wifiSsid,
    @Unsupported List<String> wifiBssid,
    @Unsupported JsonNode interfaceAddress,
    @Unsupported JsonNode networkInterfaceAddress,
    @Unsupported JsonNode defaultInterfaceAddress,
    @Unsupported JsonNode sourceMacAddress,
    @Unsupported JsonNode sourceHostname,
    @Unsupported JsonNode preferredBy,
    List<String> ruleSet,
    @Removed("removed in sing-box 1.12.0; use rule-sets") JsonNode geosite,
    @Removed("removed in sing-box 1.12.0; use rule-sets") JsonNode geoip,
    @Removed("removed in sing-box 1.12.0; use rule-sets") JsonNode sourceGeoip,
    Boolean ruleSetIpCidrMatchSource,
    Boolean ruleSetIpCidrAcceptEmpty,
    Boolean ipAcceptAny,
    Boolean invert) {}
