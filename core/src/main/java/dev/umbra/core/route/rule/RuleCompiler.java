package dev.umbra.core.route.rule;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Builds {@link DefaultRule}s from match options, checking every value with its JSON path. */
public final class RuleCompiler {
  private final Set<String> inboundTags;
  private final Map<String, RuleSet> ruleSets;
  private final boolean dns;

  /**
   * @param inboundTags known inbound tags, or null to skip the check (rule-sets have no inbound
   *     field)
   */
  public RuleCompiler(Set<String> inboundTags, Map<String, RuleSet> ruleSets) {
    this(inboundTags, ruleSets, false);
  }

  /**
   * @param dns DNS rules: ip_accept_any and rule_set_ip_cidr_accept_empty are allowed (they test
   *     the addresses of an answer)
   */
  public RuleCompiler(Set<String> inboundTags, Map<String, RuleSet> ruleSets, boolean dns) {
    this.inboundTags = inboundTags;
    this.ruleSets = ruleSets;
    this.dns = dns;
  }

  public DefaultRule compile(RuleMatchOptions o, String path) {
    List<RuleItem> srcAddr = new ArrayList<>();
    List<RuleItem> srcPort = new ArrayList<>();
    List<RuleItem> dstAddr = new ArrayList<>();
    List<RuleItem> dstIp = new ArrayList<>();
    List<RuleItem> dstPort = new ArrayList<>();
    List<RuleItem> others = new ArrayList<>();

    if (o.inbound() != null) {
      for (int i = 0; i < o.inbound().size(); i++) {
        String tag = o.inbound().get(i);
        if (inboundTags != null && !inboundTags.contains(tag)) {
          throw new ConfigException(
              JsonPaths.index(JsonPaths.field(path, "inbound"), i),
              "unknown inbound '" + tag + "'");
        }
      }
      Set<String> tags = Set.copyOf(o.inbound());
      others.add((m, s) -> tags.contains(m.inbound()));
    }
    if (o.ipVersion() != null) {
      int v = o.ipVersion();
      if (v != 4 && v != 6) {
        throw new ConfigException(JsonPaths.field(path, "ip_version"), "expected 4 or 6, got " + v);
      }
      others.add((m, s) -> ipVersion(m) == v);
    }
    if (o.network() != null) {
      Set<Network> nets = new HashSet<>();
      for (int i = 0; i < o.network().size(); i++) {
        String n = o.network().get(i);
        switch (n) {
          case "tcp" -> nets.add(Network.TCP);
          case "udp" -> nets.add(Network.UDP);
          default ->
              throw new ConfigException(
                  JsonPaths.index(JsonPaths.field(path, "network"), i),
                  "expected 'tcp' or 'udp', got '" + n + "'");
        }
      }
      others.add((m, s) -> nets.contains(m.network()));
    }
    if (o.authUser() != null) {
      Set<String> users = Set.copyOf(o.authUser());
      others.add((m, s) -> m.user() != null && users.contains(m.user()));
    }
    if (o.protocol() != null) {
      Set<String> protocols = Set.copyOf(o.protocol());
      others.add((m, s) -> m.protocol() != null && protocols.contains(m.protocol()));
    }
    if (o.domain() != null) {
      Set<String> names = new HashSet<>();
      o.domain().forEach(d -> names.add(d.toLowerCase(Locale.ROOT)));
      dstAddr.add((m, s) -> m.domain() != null && names.contains(m.domain()));
    }
    if (o.domainSuffix() != null) {
      List<String> suffixes =
          o.domainSuffix().stream().map(x -> x.toLowerCase(Locale.ROOT)).toList();
      dstAddr.add((m, s) -> m.domain() != null && suffixMatch(suffixes, m.domain()));
    }
    if (o.domainKeyword() != null) {
      List<String> words = o.domainKeyword().stream().map(x -> x.toLowerCase(Locale.ROOT)).toList();
      dstAddr.add(
          (m, s) -> m.domain() != null && words.stream().anyMatch(w -> m.domain().contains(w)));
    }
    if (o.domainRegex() != null) {
      List<Pattern> patterns = new ArrayList<>();
      for (int i = 0; i < o.domainRegex().size(); i++) {
        try {
          patterns.add(Pattern.compile(o.domainRegex().get(i)));
        } catch (PatternSyntaxException e) {
          throw new ConfigException(
              JsonPaths.index(JsonPaths.field(path, "domain_regex"), i),
              "invalid regular expression '" + o.domainRegex().get(i) + "': " + e.getDescription());
        }
      }
      dstAddr.add((m, s) ->
          m.domain() != null && patterns.stream().anyMatch(p -> p.matcher(m.domain()).find()));
    }
    if (o.sourceIpCidr() != null) {
      List<Cidr> cidrs = cidrs(o.sourceIpCidr(), JsonPaths.field(path, "source_ip_cidr"));
      srcAddr.add((m, s) -> sourceIn(m, cidrs));
    }
    if (Boolean.TRUE.equals(o.sourceIpIsPrivate())) {
      srcAddr.add((m, s) ->
          m.source() != null
              && m.source().getAddress() != null
              && PrivateAddresses.isPrivate(m.source().getAddress()));
    }
    if (o.ipCidr() != null) {
      List<Cidr> cidrs = cidrs(o.ipCidr(), JsonPaths.field(path, "ip_cidr"));
      dstIp.add((m, s) ->
          s.ipCidrMatchSource
              ? sourceIn(m, cidrs)
              : destinationIn(m, s, a -> cidrs.stream().anyMatch(c -> c.contains(a))));
    }
    if (Boolean.TRUE.equals(o.ipIsPrivate())) {
      dstIp.add((m, s) -> destinationAddresses(m).stream().anyMatch(PrivateAddresses::isPrivate));
    }
    if (o.ipAcceptAny() != null || o.ruleSetIpCidrAcceptEmpty() != null) {
      String field = o.ipAcceptAny() != null ? "ip_accept_any" : "rule_set_ip_cidr_accept_empty";
      if (!dns) {
        throw new ConfigException(JsonPaths.field(path, field), "only DNS rules have " + field);
      }
    }
    if (Boolean.TRUE.equals(o.ipAcceptAny())) {
      dstIp.add((m, s) -> !destinationAddresses(m).isEmpty());
    }
    if (o.sourcePort() != null) {
      Set<Integer> ports = ports(o.sourcePort(), JsonPaths.field(path, "source_port"));
      srcPort.add((m, s) -> m.source() != null && ports.contains(m.source().getPort()));
    }
    if (o.sourcePortRange() != null) {
      List<PortRange> ranges =
          ranges(o.sourcePortRange(), JsonPaths.field(path, "source_port_range"));
      srcPort.add((m, s) ->
          m.source() != null && ranges.stream().anyMatch(r -> r.contains(m.source().getPort())));
    }
    if (o.port() != null) {
      Set<Integer> ports = ports(o.port(), JsonPaths.field(path, "port"));
      dstPort.add((m, s) -> ports.contains(m.destination().port()));
    }
    if (o.portRange() != null) {
      List<PortRange> ranges = ranges(o.portRange(), JsonPaths.field(path, "port_range"));
      dstPort.add((m, s) -> ranges.stream().anyMatch(r -> r.contains(m.destination().port())));
    }
    if (o.ruleSet() != null) {
      List<RuleSet> sets = new ArrayList<>();
      for (int i = 0; i < o.ruleSet().size(); i++) {
        String tag = o.ruleSet().get(i);
        RuleSet set = ruleSets.get(tag);
        if (set == null) {
          throw new ConfigException(
              JsonPaths.index(JsonPaths.field(path, "rule_set"), i),
              "unknown rule-set '" + tag + "'");
        }
        sets.add(set);
      }
      others.add(
          new RuleSetItem(
              List.copyOf(sets),
              Boolean.TRUE.equals(o.ruleSetIpCidrMatchSource()),
              Boolean.TRUE.equals(o.ruleSetIpCidrAcceptEmpty())));
    }
    return new DefaultRule(
        List.copyOf(srcAddr),
        List.copyOf(srcPort),
        List.copyOf(dstAddr),
        List.copyOf(dstIp),
        List.copyOf(dstPort),
        List.copyOf(others),
        Boolean.TRUE.equals(o.invert()));
  }

  /** sing-box suffix semantics: "a.com" matches a.com and x.a.com; ".a.com" only x.a.com. */
  static boolean suffixMatch(List<String> suffixes, String domain) {
    for (String suffix : suffixes) {
      if (suffix.startsWith(".")) {
        if (domain.endsWith(suffix)) {
          return true;
        }
      } else if (domain.equals(suffix) || domain.endsWith("." + suffix)) {
        return true;
      }
    }
    return false;
  }

  private static int ipVersion(Metadata m) {
    List<InetAddress> a = destinationAddresses(m);
    if (a.isEmpty()) {
      return 0;
    }
    return a.getFirst() instanceof Inet6Address ? 6 : 4;
  }

  /** The destination IP, or the addresses a resolve action found for its domain. */
  static List<InetAddress> destinationAddresses(Metadata m) {
    if (m.destination() instanceof Destination.Ip ip) {
      return List.of(ip.address());
    }
    return m.destinationAddresses();
  }

  /**
   * Whether a destination address (the IP, or the resolved or answered addresses) is in the set;
   * with none known, the rule-set's rule_set_ip_cidr_accept_empty decides (sing-box IPCIDRItem).
   */
  static boolean destinationIn(
      Metadata m, MatchState s, java.util.function.Predicate<InetAddress> set) {
    List<InetAddress> all = destinationAddresses(m);
    if (all.isEmpty()) {
      return s.ipCidrAcceptEmpty;
    }
    for (InetAddress a : all) {
      if (set.test(a)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sourceIn(Metadata m, List<Cidr> cidrs) {
    if (m.source() == null || m.source().getAddress() == null) {
      return false;
    }
    InetAddress a = m.source().getAddress();
    return cidrs.stream().anyMatch(c -> c.contains(a));
  }

  private static List<Cidr> cidrs(List<String> values, String path) {
    List<Cidr> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      try {
        out.add(Cidr.parse(values.get(i)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(JsonPaths.index(path, i), e.getMessage());
      }
    }
    return out;
  }

  private static Set<Integer> ports(List<Integer> values, String path) {
    for (int i = 0; i < values.size(); i++) {
      int p = values.get(i);
      if (p < 0 || p > 65535) {
        throw new ConfigException(JsonPaths.index(path, i), "expected a port 0-65535, got " + p);
      }
    }
    return Set.copyOf(values);
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
