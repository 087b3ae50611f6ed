package dev.umbra.core.route.srs;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Every field of a source rule-set's default rule (sing-box's DefaultHeadlessRule), so the compiler
 * can carry items Umbra does not match (process, Wi-Fi, interface items) into binary files.
 */
record SourceRuleOptions(
    List<JsonNode> queryType,
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
    List<String> processName,
    List<String> processPath,
    List<String> processPathRegex,
    List<String> packageName,
    List<String> networkType,
    Boolean networkIsExpensive,
    Boolean networkIsConstrained,
    List<String> wifiSsid,
    List<String> wifiBssid,
    JsonNode networkInterfaceAddress,
    List<String> defaultInterfaceAddress,
    Boolean invert) {}
