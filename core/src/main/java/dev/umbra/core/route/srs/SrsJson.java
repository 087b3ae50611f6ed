package dev.umbra.core.route.srs;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Jsonc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Converts between source rule-sets ({@code {"version": N, "rules": [...]}}) and the binary model,
 * as sing-box's {@code rule-set compile} and {@code decompile} do.
 */
public final class SrsJson {
  private SrsJson() {}

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final List<String> INTERFACE_TYPES =
      List.of("wifi", "cellular", "ethernet", "other");

  /** The document's top-level fields. */
  record Document(Integer version, List<JsonNode> rules) {}

  /** A logical rule's fields. */
  record LogicalFields(String type, String mode, List<JsonNode> rules, Boolean invert) {}

  /** Parses a source rule-set; errors name the JSON path. */
  public static RuleSetFile parse(String text, String source) {
    JsonNode root = Jsonc.parse(text, source);
    Document doc = Binder.bind(root, Document.class, "");
    if (doc.version() == null || doc.version() < 1 || doc.version() > RuleSetFile.MAX_VERSION) {
      throw new ConfigException(
          "version",
          "expected a rule-set version 1-" + RuleSetFile.MAX_VERSION + ", got " + doc.version());
    }
    List<SrsRule> rules = new ArrayList<>();
    List<JsonNode> raw = doc.rules() == null ? List.of() : doc.rules();
    for (int i = 0; i < raw.size(); i++) {
      rules.add(parseRule(raw.get(i), JsonPaths.index("rules", i), doc.version(), 0));
    }
    return new RuleSetFile(doc.version(), rules);
  }

  /**
   * The version the compiler writes: sing-box lowers 4 to 3 when no interface-address item is used,
   * and 3 to 2 when no network-type item is.
   */
  public static RuleSetFile downgraded(RuleSetFile file) {
    int v = file.version();
    if (v == 4 && !any(file.rules(), SrsJson::usesV4)) {
      v = 3;
    }
    if (v == 3 && !any(file.rules(), SrsJson::usesV3)) {
      v = 2;
    }
    if (v == file.version()) {
      return file;
    }
    // Domain sets need no rebuilding: only version 1 lays them out differently.
    return new RuleSetFile(v, file.rules());
  }

  private static boolean usesV4(SrsRule.Default d) {
    return !d.networkInterfaceAddress().isEmpty() || !d.defaultInterfaceAddress().isEmpty();
  }

  private static boolean usesV3(SrsRule.Default d) {
    return !d.networkType().isEmpty() || d.networkIsExpensive() || d.networkIsConstrained();
  }

  /** Whether any default rule, at any depth, satisfies {@code test}. */
  public static boolean any(
      List<SrsRule> rules, java.util.function.Predicate<SrsRule.Default> test) {
    for (SrsRule r : rules) {
      boolean hit =
          switch (r) {
            case SrsRule.Default d -> test.test(d);
            case SrsRule.Logical l -> any(l.rules(), test);
          };
      if (hit) {
        return true;
      }
    }
    return false;
  }

  private static SrsRule parseRule(JsonNode node, String path, int version, int depth) {
    if (!node.isObject()) {
      throw new ConfigException(path, "expected a rule object, got " + Binder.describe(node));
    }
    JsonNode t = node.get("type");
    String type = t == null || t.isNull() ? "" : t.isString() ? t.stringValue() : null;
    if ("logical".equals(type)) {
      if (depth >= Srs.MAX_DEPTH) {
        throw new ConfigException(path, "logical rules nested deeper than " + Srs.MAX_DEPTH);
      }
      LogicalFields f = Binder.bind(node, LogicalFields.class, path);
      if (!"and".equals(f.mode()) && !"or".equals(f.mode())) {
        throw new ConfigException(
            JsonPaths.field(path, "mode"),
            "expected 'and' or 'or', got " + (f.mode() == null ? "nothing" : "'" + f.mode() + "'"));
      }
      if (f.rules() == null || f.rules().isEmpty()) {
        throw new ConfigException(JsonPaths.field(path, "rules"), "a logical rule needs rules");
      }
      List<SrsRule> subs = new ArrayList<>();
      for (int i = 0; i < f.rules().size(); i++) {
        subs.add(
            parseRule(
                f.rules().get(i),
                JsonPaths.index(JsonPaths.field(path, "rules"), i),
                version,
                depth + 1));
      }
      return new SrsRule.Logical(f.mode().equals("and"), subs, Boolean.TRUE.equals(f.invert()));
    }
    if (!"".equals(type) && !"default".equals(type)) {
      throw new ConfigException(
          JsonPaths.field(path, "type"),
          "expected 'default' or 'logical', got " + Binder.describe(t));
    }
    SourceRuleOptions o =
        Binder.bind(node, SourceRuleOptions.class, path, java.util.Set.of("type"));
    RuleBuilder b = new RuleBuilder();
    if (o.queryType() != null) {
      List<Integer> types = new ArrayList<>();
      for (int i = 0; i < o.queryType().size(); i++) {
        types.add(
            queryType(
                o.queryType().get(i), JsonPaths.index(JsonPaths.field(path, "query_type"), i)));
      }
      b.queryType = types;
    }
    b.network = orEmpty(o.network());
    List<String> domains = orEmpty(o.domain());
    List<String> suffixes = orEmpty(o.domainSuffix());
    for (int i = 0; i < suffixes.size(); i++) {
      if (suffixes.get(i).isEmpty()) {
        throw new ConfigException(
            JsonPaths.index(JsonPaths.field(path, "domain_suffix"), i), "empty domain suffix");
      }
    }
    if (!domains.isEmpty() || !suffixes.isEmpty()) {
      b.domain = DomainMatcher.of(domains, suffixes, version == 1);
    }
    b.domainKeyword = orEmpty(o.domainKeyword());
    b.domainRegex = orEmpty(o.domainRegex());
    b.sourceIpCidr = ipSet(o.sourceIpCidr(), JsonPaths.field(path, "source_ip_cidr"));
    b.ipCidr = ipSet(o.ipCidr(), JsonPaths.field(path, "ip_cidr"));
    b.sourcePort = ports(o.sourcePort(), JsonPaths.field(path, "source_port"));
    b.sourcePortRange = orEmpty(o.sourcePortRange());
    b.port = ports(o.port(), JsonPaths.field(path, "port"));
    b.portRange = orEmpty(o.portRange());
    b.processName = orEmpty(o.processName());
    b.processPath = orEmpty(o.processPath());
    b.processPathRegex = orEmpty(o.processPathRegex());
    b.packageName = orEmpty(o.packageName());
    if (o.networkType() != null) {
      List<Integer> types = new ArrayList<>();
      for (int i = 0; i < o.networkType().size(); i++) {
        types.add(
            interfaceType(
                o.networkType().get(i), JsonPaths.index(JsonPaths.field(path, "network_type"), i)));
      }
      b.networkType = types;
    }
    b.networkIsExpensive = Boolean.TRUE.equals(o.networkIsExpensive());
    b.networkIsConstrained = Boolean.TRUE.equals(o.networkIsConstrained());
    b.wifiSsid = orEmpty(o.wifiSsid());
    b.wifiBssid = orEmpty(o.wifiBssid());
    if (o.networkInterfaceAddress() != null && !o.networkInterfaceAddress().isNull()) {
      String p = JsonPaths.field(path, "network_interface_address");
      if (!o.networkInterfaceAddress().isObject()) {
        throw new ConfigException(p, "expected an object of interface type to prefixes");
      }
      List<SrsRule.InterfaceAddresses> entries = new ArrayList<>();
      for (Map.Entry<String, JsonNode> e : o.networkInterfaceAddress().properties()) {
        String ep = JsonPaths.field(p, e.getKey());
        int key = interfaceType(e.getKey(), ep);
        List<String> values = stringList(e.getValue(), ep);
        entries.add(new SrsRule.InterfaceAddresses(key, prefixes(values, ep)));
      }
      b.networkInterfaceAddress = entries;
    }
    if (o.defaultInterfaceAddress() != null) {
      b.defaultInterfaceAddress =
          prefixes(o.defaultInterfaceAddress(), JsonPaths.field(path, "default_interface_address"));
    }
    SrsRule.Default rule = b.build(Boolean.TRUE.equals(o.invert()));
    if (!rule.hasConditions()) {
      throw new ConfigException(path, "a rule needs at least one condition");
    }
    requireItemVersion(version, 3, usesV3(rule), path, "network_type and network_is_*");
    requireItemVersion(version, 4, usesV4(rule), path, "*_interface_address");
    return rule;
  }

  private static void requireItemVersion(
      int version, int min, boolean used, String path, String what) {
    if (used && version < min) {
      throw new ConfigException(
          path, what + " rule items need rule-set version " + min + " or later");
    }
  }

  /** A string or a list of strings (sing-box's Listable). */
  private static List<String> stringList(JsonNode v, String path) {
    if (v.isString()) {
      return List.of(v.stringValue());
    }
    if (v.isArray()) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        if (!v.get(i).isString()) {
          throw new ConfigException(
              JsonPaths.index(path, i), "expected a string, got " + Binder.describe(v.get(i)));
        }
        out.add(v.get(i).stringValue());
      }
      return out;
    }
    throw new ConfigException(path, "expected a string or a list, got " + Binder.describe(v));
  }

  private static <T> List<T> orEmpty(List<T> l) {
    return l == null ? List.of() : l;
  }

  private static IpSet ipSet(List<String> values, String path) {
    if (values == null || values.isEmpty()) {
      return null;
    }
    for (int i = 0; i < values.size(); i++) {
      try {
        IpPrefix.parse(values.get(i));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(JsonPaths.index(path, i), e.getMessage());
      }
    }
    return IpSet.of(values);
  }

  private static List<IpPrefix> prefixes(List<String> values, String path) {
    List<IpPrefix> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      try {
        out.add(IpPrefix.parse(values.get(i)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(JsonPaths.index(path, i), e.getMessage());
      }
    }
    return out;
  }

  private static List<Integer> ports(List<Integer> values, String path) {
    if (values == null) {
      return List.of();
    }
    for (int i = 0; i < values.size(); i++) {
      int p = values.get(i);
      if (p < 0 || p > 65535) {
        throw new ConfigException(JsonPaths.index(path, i), "expected a port 0-65535, got " + p);
      }
    }
    return values;
  }

  private static int interfaceType(String name, String path) {
    int i = INTERFACE_TYPES.indexOf(name);
    if (i < 0) {
      throw new ConfigException(
          path, "unknown interface type '" + name + "' (expected wifi, cellular, ethernet, other)");
    }
    return i;
  }

  private static int queryType(JsonNode v, String path) {
    if (v.isIntegralNumber() && v.asInt() >= 0 && v.asInt() <= 65535) {
      return v.asInt();
    }
    if (v.isString()) {
      Integer n = DnsTypes.number(v.stringValue());
      if (n != null) {
        return n;
      }
    }
    throw new ConfigException(path, "unknown DNS query type " + Binder.describe(v));
  }

  /** The source form of a rule-set, as sing-box's decompiler writes it. */
  public static JsonNode toJson(RuleSetFile file) throws SrsFormatException {
    ObjectNode root = F.objectNode();
    root.put("version", file.version());
    ArrayNode rules = F.arrayNode();
    for (SrsRule r : file.rules()) {
      rules.add(toJson(r));
    }
    if (!rules.isEmpty()) {
      root.set("rules", rules);
    }
    return root;
  }

  /** One rule in source form. */
  public static JsonNode toJson(SrsRule rule) throws SrsFormatException {
    return switch (rule) {
      case SrsRule.Logical l -> {
        ObjectNode o = F.objectNode();
        o.put("type", "logical");
        o.put("mode", l.and() ? "and" : "or");
        ArrayNode subs = F.arrayNode();
        for (SrsRule r : l.rules()) {
          subs.add(toJson(r));
        }
        if (!subs.isEmpty()) {
          o.set("rules", subs);
        }
        if (l.invert()) {
          o.put("invert", true);
        }
        yield o;
      }
      case SrsRule.Default d -> defaultToJson(d);
    };
  }

  private static ObjectNode defaultToJson(SrsRule.Default d) throws SrsFormatException {
    if (d.adGuardDomain() != null) {
      throw new SrsFormatException("AdGuard rule items cannot be decompiled to a source rule-set");
    }
    ObjectNode o = F.objectNode();
    if (!d.queryType().isEmpty()) {
      ArrayNode a = F.arrayNode();
      for (int t : d.queryType()) {
        String name = DnsTypes.name(t);
        if (name != null) {
          a.add(name);
        } else {
          a.add(t);
        }
      }
      o.set("query_type", listable(a));
    }
    strings(o, "network", d.network());
    if (d.domain() != null) {
      DomainMatcher.Lists lists = d.domain().dump();
      strings(o, "domain", lists.domains());
      strings(o, "domain_suffix", lists.suffixes());
    }
    strings(o, "domain_keyword", d.domainKeyword());
    strings(o, "domain_regex", d.domainRegex());
    if (d.sourceIpCidr() != null) {
      strings(o, "source_ip_cidr", d.sourceIpCidr().prefixes());
    }
    if (d.ipCidr() != null) {
      strings(o, "ip_cidr", d.ipCidr().prefixes());
    }
    ints(o, "source_port", d.sourcePort());
    strings(o, "source_port_range", d.sourcePortRange());
    ints(o, "port", d.port());
    strings(o, "port_range", d.portRange());
    strings(o, "process_name", d.processName());
    strings(o, "process_path", d.processPath());
    strings(o, "process_path_regex", d.processPathRegex());
    strings(o, "package_name", d.packageName());
    strings(o, "network_type", d.networkType().stream().map(SrsJson::interfaceName).toList());
    if (d.networkIsExpensive()) {
      o.put("network_is_expensive", true);
    }
    if (d.networkIsConstrained()) {
      o.put("network_is_constrained", true);
    }
    strings(o, "wifi_ssid", d.wifiSsid());
    strings(o, "wifi_bssid", d.wifiBssid());
    if (!d.networkInterfaceAddress().isEmpty()) {
      ObjectNode m = F.objectNode();
      for (SrsRule.InterfaceAddresses e : d.networkInterfaceAddress()) {
        ArrayNode a = F.arrayNode();
        e.prefixes().forEach(p -> a.add(prefixText(p)));
        m.set(interfaceName(e.type()), listable(a));
      }
      o.set("network_interface_address", m);
    }
    strings(
        o,
        "default_interface_address",
        d.defaultInterfaceAddress().stream().map(SrsJson::prefixText).toList());
    if (d.invert()) {
      o.put("invert", true);
    }
    return o;
  }

  private static String interfaceName(int t) {
    return t < INTERFACE_TYPES.size() ? INTERFACE_TYPES.get(t) : "invalid";
  }

  /** A full-length prefix prints as its address alone, as sing-box's Prefixable does. */
  private static String prefixText(IpPrefix p) {
    return p.bits() == p.address().length * 8 ? IpText.format(p.address()) : p.toString();
  }

  /** sing-box's Listable: one value is written bare, several as an array. */
  private static JsonNode listable(ArrayNode a) {
    return a.size() == 1 ? a.get(0) : a;
  }

  private static void strings(ObjectNode o, String key, List<String> values) {
    if (values.isEmpty()) {
      return;
    }
    ArrayNode a = F.arrayNode();
    values.forEach(a::add);
    o.set(key, listable(a));
  }

  private static void ints(ObjectNode o, String key, List<Integer> values) {
    if (values.isEmpty()) {
      return;
    }
    ArrayNode a = F.arrayNode();
    values.forEach(a::add);
    o.set(key, listable(a));
  }
}
