package dev.umbra.core.route.srs;

import java.util.List;

/** Collects the items of a default rule while it is read (binary) or converted (source). */
final class RuleBuilder {
  List<Integer> queryType = List.of();
  List<String> network = List.of();
  DomainMatcher domain;
  List<String> domainKeyword = List.of();
  List<String> domainRegex = List.of();
  IpSet sourceIpCidr;
  IpSet ipCidr;
  List<Integer> sourcePort = List.of();
  List<String> sourcePortRange = List.of();
  List<Integer> port = List.of();
  List<String> portRange = List.of();
  List<String> processName = List.of();
  List<String> processPath = List.of();
  List<String> processPathRegex = List.of();
  List<String> packageName = List.of();
  List<Integer> networkType = List.of();
  boolean networkIsExpensive;
  boolean networkIsConstrained;
  List<SrsRule.InterfaceAddresses> networkInterfaceAddress = List.of();
  List<IpPrefix> defaultInterfaceAddress = List.of();
  List<String> wifiSsid = List.of();
  List<String> wifiBssid = List.of();
  DomainMatcher adGuardDomain;

  SrsRule.Default build(boolean invert) {
    return new SrsRule.Default(
        queryType,
        network,
        domain,
        domainKeyword,
        domainRegex,
        sourceIpCidr,
        ipCidr,
        sourcePort,
        sourcePortRange,
        port,
        portRange,
        processName,
        processPath,
        processPathRegex,
        packageName,
        networkType,
        networkIsExpensive,
        networkIsConstrained,
        networkInterfaceAddress,
        defaultInterfaceAddress,
        wifiSsid,
        wifiBssid,
        adGuardDomain,
        invert);
  }
}
