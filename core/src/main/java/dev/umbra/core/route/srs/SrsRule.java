package dev.umbra.core.route.srs;

import java.util.List;

/** A rule of a binary rule-set: a default rule of items, or a logical rule over sub-rules. */
public sealed interface SrsRule permits SrsRule.Default, SrsRule.Logical {

  boolean invert();

  /**
   * A default (headless) rule. Empty lists and null sets mean "item absent", as in sing-box where
   * only non-empty items are written.
   *
   * @param queryType DNS query types (numbers)
   * @param networkType interface types: 0 wifi, 1 cellular, 2 ethernet, 3 other
   * @param adGuardDomain AdGuard filter rules in their own succinct set (read and written, not
   *     matched)
   * @param networkInterfaceAddress per interface type (key), prefixes; in file order
   */
  record Default(
      List<Integer> queryType,
      List<String> network,
      DomainMatcher domain,
      List<String> domainKeyword,
      List<String> domainRegex,
      IpSet sourceIpCidr,
      IpSet ipCidr,
      List<Integer> sourcePort,
      List<String> sourcePortRange,
      List<Integer> port,
      List<String> portRange,
      List<String> processName,
      List<String> processPath,
      List<String> processPathRegex,
      List<String> packageName,
      List<Integer> networkType,
      boolean networkIsExpensive,
      boolean networkIsConstrained,
      List<InterfaceAddresses> networkInterfaceAddress,
      List<IpPrefix> defaultInterfaceAddress,
      List<String> wifiSsid,
      List<String> wifiBssid,
      DomainMatcher adGuardDomain,
      boolean invert)
      implements SrsRule {

    public Default {
      queryType = List.copyOf(queryType);
      network = List.copyOf(network);
      domainKeyword = List.copyOf(domainKeyword);
      domainRegex = List.copyOf(domainRegex);
      sourcePort = List.copyOf(sourcePort);
      sourcePortRange = List.copyOf(sourcePortRange);
      port = List.copyOf(port);
      portRange = List.copyOf(portRange);
      processName = List.copyOf(processName);
      processPath = List.copyOf(processPath);
      processPathRegex = List.copyOf(processPathRegex);
      packageName = List.copyOf(packageName);
      networkType = List.copyOf(networkType);
      networkInterfaceAddress = List.copyOf(networkInterfaceAddress);
      defaultInterfaceAddress = List.copyOf(defaultInterfaceAddress);
      wifiSsid = List.copyOf(wifiSsid);
      wifiBssid = List.copyOf(wifiBssid);
    }

    /** Whether the rule has any condition at all (sing-box rejects rules with none). */
    public boolean hasConditions() {
      return !queryType.isEmpty()
          || !network.isEmpty()
          || domain != null
          || !domainKeyword.isEmpty()
          || !domainRegex.isEmpty()
          || sourceIpCidr != null
          || ipCidr != null
          || !sourcePort.isEmpty()
          || !sourcePortRange.isEmpty()
          || !port.isEmpty()
          || !portRange.isEmpty()
          || !processName.isEmpty()
          || !processPath.isEmpty()
          || !processPathRegex.isEmpty()
          || !packageName.isEmpty()
          || !networkType.isEmpty()
          || networkIsExpensive
          || networkIsConstrained
          || !networkInterfaceAddress.isEmpty()
          || !defaultInterfaceAddress.isEmpty()
          || !wifiSsid.isEmpty()
          || !wifiBssid.isEmpty()
          || adGuardDomain != null;
    }
  }

  /** One entry of {@code network_interface_address}: an interface type and its prefixes. */
  record InterfaceAddresses(int type, List<IpPrefix> prefixes) {
    public InterfaceAddresses {
      prefixes = List.copyOf(prefixes);
    }
  }

  /** {@code {"type":"logical","mode":"and"|"or","rules":[...]}}. */
  record Logical(boolean and, List<SrsRule> rules, boolean invert) implements SrsRule {
    public Logical {
      rules = List.copyOf(rules);
    }
  }
}
