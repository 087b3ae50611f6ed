package dev.umbra.core.route.rule;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Network;
import dev.umbra.core.route.srs.IpSet;
import dev.umbra.core.route.srs.RuleSetFile;
import dev.umbra.core.route.srs.SrsRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the rules of a binary rule-set into matchable rules with the same grouping as source rules:
 * domain items, keywords, regexes and ip_cidr form the destination-address group, ports their own
 * groups. Items Umbra cannot evaluate (process, Wi-Fi, interface, DNS query type, AdGuard) are
 * refused by name rather than ignored.
 */
public final class BinaryRules {
  private BinaryRules() {}

  /**
   * Compiles every rule of {@code file}.
   *
   * @param path where errors point (the rule-set's config path or the file name)
   */
  public static List<Rule> compile(RuleSetFile file, String path) {
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < file.rules().size(); i++) {
      out.add(compile(file.rules().get(i), JsonPaths.index(JsonPaths.field(path, "rules"), i)));
    }
    return out;
  }

  private static Rule compile(SrsRule rule, String path) {
    return switch (rule) {
      case SrsRule.Logical l -> {
        if (l.rules().isEmpty()) {
          throw new ConfigException(path, "a logical rule needs rules");
        }
        List<Rule> subs = new ArrayList<>();
        for (int i = 0; i < l.rules().size(); i++) {
          subs.add(compile(l.rules().get(i), JsonPaths.index(JsonPaths.field(path, "rules"), i)));
        }
        yield new LogicalRule(l.and(), List.copyOf(subs), l.invert());
      }
      case SrsRule.Default d -> compileDefault(d, path);
    };
  }

  private static DefaultRule compileDefault(SrsRule.Default d, String path) {
    if (!d.hasConditions()) {
      throw new ConfigException(path, "a rule needs at least one condition");
    }
    refuse(!d.queryType().isEmpty(), path, "query_type", "needs the DNS module");
    refuse(!d.processName().isEmpty(), path, "process_name", null);
    refuse(!d.processPath().isEmpty(), path, "process_path", null);
    refuse(!d.processPathRegex().isEmpty(), path, "process_path_regex", null);
    refuse(!d.packageName().isEmpty(), path, "package_name", null);
    refuse(!d.networkType().isEmpty(), path, "network_type", null);
    refuse(d.networkIsExpensive(), path, "network_is_expensive", null);
    refuse(d.networkIsConstrained(), path, "network_is_constrained", null);
    refuse(!d.networkInterfaceAddress().isEmpty(), path, "network_interface_address", null);
    refuse(!d.defaultInterfaceAddress().isEmpty(), path, "default_interface_address", null);
    refuse(!d.wifiSsid().isEmpty(), path, "wifi_ssid", null);
    refuse(!d.wifiBssid().isEmpty(), path, "wifi_bssid", null);
    refuse(d.adGuardDomain() != null, path, "AdGuard domain", null);

    List<RuleItem> srcAddr = new ArrayList<>();
    List<RuleItem> srcPort = new ArrayList<>();
    List<RuleItem> dstAddr = new ArrayList<>();
    List<RuleItem> dstIp = new ArrayList<>();
    List<RuleItem> dstPort = new ArrayList<>();
    List<RuleItem> others = new ArrayList<>();
    if (!d.network().isEmpty()) {
      Set<Network> nets = new HashSet<>();
      for (String n : d.network()) {
        switch (n) {
          case "tcp" -> nets.add(Network.TCP);
          case "udp" -> nets.add(Network.UDP);
          default ->
              throw new ConfigException(
                  JsonPaths.field(path, "network"), "expected 'tcp' or 'udp', got '" + n + "'");
        }
      }
      others.add((m, s) -> nets.contains(m.network()));
    }
    if (d.domain() != null) {
      var matcher = d.domain();
      dstAddr.add((m, s) -> m.domain() != null && matcher.matches(m.domain()));
    }
    if (!d.domainKeyword().isEmpty()) {
      List<String> words = d.domainKeyword();
      dstAddr.add(
          (m, s) -> m.domain() != null && words.stream().anyMatch(w -> m.domain().contains(w)));
    }
    if (!d.domainRegex().isEmpty()) {
      List<Pattern> patterns = new ArrayList<>();
      for (String r : d.domainRegex()) {
        try {
          patterns.add(Pattern.compile(r));
        } catch (PatternSyntaxException e) {
          throw new ConfigException(
              JsonPaths.field(path, "domain_regex"),
              "invalid regular expression '" + r + "': " + e.getDescription());
        }
      }
      dstAddr.add((m, s) ->
          m.domain() != null && patterns.stream().anyMatch(p -> p.matcher(m.domain()).find()));
    }
    if (d.sourceIpCidr() != null) {
      IpSet set = d.sourceIpCidr();
      srcAddr.add((m, s) -> sourceIn(m, set));
    }
    if (d.ipCidr() != null) {
      IpSet set = d.ipCidr();
      dstIp.add((m, s) ->
          s.ipCidrMatchSource ? sourceIn(m, set) : RuleCompiler.destinationIn(m, s, set::contains));
    }
    if (!d.sourcePort().isEmpty()) {
      Set<Integer> ports = Set.copyOf(d.sourcePort());
      srcPort.add((m, s) -> m.source() != null && ports.contains(m.source().getPort()));
    }
    if (!d.sourcePortRange().isEmpty()) {
      List<PortRange> ranges =
          ranges(d.sourcePortRange(), JsonPaths.field(path, "source_port_range"));
      srcPort.add((m, s) ->
          m.source() != null && ranges.stream().anyMatch(r -> r.contains(m.source().getPort())));
    }
    if (!d.port().isEmpty()) {
      Set<Integer> ports = Set.copyOf(d.port());
      dstPort.add((m, s) -> ports.contains(m.destination().port()));
    }
    if (!d.portRange().isEmpty()) {
      List<PortRange> ranges = ranges(d.portRange(), JsonPaths.field(path, "port_range"));
      dstPort.add((m, s) -> ranges.stream().anyMatch(r -> r.contains(m.destination().port())));
    }
    return new DefaultRule(
        List.copyOf(srcAddr),
        List.copyOf(srcPort),
        List.copyOf(dstAddr),
        List.copyOf(dstIp),
        List.copyOf(dstPort),
        List.copyOf(others),
        d.invert());
  }

  private static void refuse(boolean present, String path, String item, String why) {
    if (present) {
      throw new ConfigException(
          path,
          "the rule-set item "
              + item
              + " is not supported"
              + (why == null ? "" : " (" + why + ")"));
    }
  }

  private static boolean sourceIn(dev.umbra.core.adapter.Metadata m, IpSet set) {
    return m.source() != null
        && m.source().getAddress() != null
        && set.contains(m.source().getAddress());
  }

  private static List<PortRange> ranges(List<String> values, String path) {
    List<PortRange> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      try {
        out.add(PortRange.parse(values.get(i)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(JsonPaths.index(path, i), e.getMessage());
      }
    }
    return out;
  }
}
