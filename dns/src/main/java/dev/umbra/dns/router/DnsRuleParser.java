package dev.umbra.dns.router;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DomainStrategy;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.route.rule.RuleParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Reads {@code dns.rules}: route-rule match fields (core's parser), query_type, and actions. */
final class DnsRuleParser {
  /** Fields of the DNS route action. */
  record RouteFields(
      String server,
      DomainStrategy strategy,
      Boolean disableCache,
      Long rewriteTtl,
      String clientSubnet) {}

  /** Fields of the DNS route-options action. */
  record RouteOptionsFields(Boolean disableCache, Long rewriteTtl, String clientSubnet) {}

  record RejectFields(String method, Boolean noDrop) {}

  record PredefinedFields(String rcode, List<String> answer, List<String> ns, List<String> extra) {}

  private final RuleParser core;
  private final Set<String> servers;

  DnsRuleParser(RuleParser core, Set<String> servers) {
    this.core = core;
    this.servers = servers;
  }

  DnsRouteRule parse(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new ConfigException(path, "expected a rule object, got " + Binder.describe(node));
    }
    String action = "route";
    JsonNode a = node.get("action");
    if (a != null && !a.isNull()) {
      if (!a.isString()) {
        throw new ConfigException(JsonPaths.field(path, "action"), "expected a string");
      }
      action = a.stringValue().isEmpty() ? "route" : a.stringValue();
    }
    Class<? extends java.lang.Record> fields =
        switch (action) {
          case "route" -> RouteFields.class;
          case "route-options" -> RouteOptionsFields.class;
          case "reject" -> RejectFields.class;
          case "predefined" -> PredefinedFields.class;
          default ->
              throw new ConfigException(
                  JsonPaths.field(path, "action"),
                  "unknown DNS rule action '"
                      + action
                      + "' (expected route, route-options, reject, predefined)");
        };
    Set<String> actionKeys = new HashSet<>(Binder.keysOf(fields));
    actionKeys.add("action");
    DnsRule rule = match(node, path, actionKeys);
    Set<String> matchKeys = new HashSet<>();
    node.propertyNames().forEach(matchKeys::add);
    matchKeys.removeAll(actionKeys);
    matchKeys.add("action");
    java.lang.Record bound = Binder.bind(node, fields, path, matchKeys);
    return new DnsRouteRule(rule, action(bound, path), path);
  }

  private DnsRule match(JsonNode node, String path, Set<String> actionKeys) {
    if (node.has("outbound")) {
      throw new ConfigException(
          JsonPaths.field(path, "outbound"),
          "the legacy DNS rule field 'outbound' is not supported; match on inbound instead");
    }
    JsonNode t = node.get("type");
    if (t != null && t.isString() && t.stringValue().equals("logical")) {
      JsonNode mode = node.get("mode");
      String m = mode != null && mode.isString() ? mode.stringValue() : null;
      if (!"and".equals(m) && !"or".equals(m)) {
        throw new ConfigException(JsonPaths.field(path, "mode"), "expected 'and' or 'or'");
      }
      JsonNode rules = node.get("rules");
      if (rules == null || !rules.isArray() || rules.isEmpty()) {
        throw new ConfigException(JsonPaths.field(path, "rules"), "a logical rule needs rules");
      }
      Set<String> allowed = new HashSet<>(actionKeys);
      allowed.addAll(Set.of("type", "mode", "rules", "invert"));
      for (String k : node.propertyNames()) {
        if (!allowed.contains(k)) {
          throw new ConfigException(JsonPaths.field(path, k), "unknown field");
        }
      }
      List<DnsRule> subs = new ArrayList<>();
      for (int i = 0; i < rules.size(); i++) {
        subs.add(match(rules.get(i), JsonPaths.index(JsonPaths.field(path, "rules"), i), Set.of()));
      }
      return new DnsRule.Logical(m.equals("and"), subs, invert(node, path));
    }
    ObjectNode copy = (ObjectNode) node.deepCopy();
    Set<Integer> types = queryTypes(copy.remove("query_type"), JsonPaths.field(path, "query_type"));
    invert(node, path);
    return new DnsRule.Leaf(
        (dev.umbra.core.route.rule.DefaultRule) core.parse(copy, path, actionKeys), types);
  }

  private static boolean invert(JsonNode node, String path) {
    JsonNode i = node.get("invert");
    if (i == null || i.isNull()) {
      return false;
    }
    if (!i.isBoolean()) {
      throw new ConfigException(JsonPaths.field(path, "invert"), "expected true or false");
    }
    return i.booleanValue();
  }

  static Set<Integer> queryTypes(JsonNode node, String path) {
    Set<Integer> out = new HashSet<>();
    if (node == null || node.isNull()) {
      return out;
    }
    List<JsonNode> items = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(items::add);
    } else {
      items.add(node);
    }
    for (int i = 0; i < items.size(); i++) {
      JsonNode v = items.get(i);
      String p = node.isArray() ? JsonPaths.index(path, i) : path;
      if (v.isInt() && v.intValue() >= 0 && v.intValue() <= 65535) {
        out.add(v.intValue());
      } else if (v.isString() && Type.value(v.stringValue().toUpperCase(Locale.ROOT)) >= 0) {
        out.add(Type.value(v.stringValue().toUpperCase(Locale.ROOT)));
      } else {
        throw new ConfigException(p, "unknown query type " + Binder.describe(v));
      }
    }
    return out;
  }

  private DnsAction action(java.lang.Record fields, String path) {
    return switch (fields) {
      case RouteFields r -> {
        if (r.server() == null) {
          throw new ConfigException(JsonPaths.field(path, "server"), "missing server");
        }
        checkServer(r.server(), JsonPaths.field(path, "server"));
        checkSubnet(r.clientSubnet(), JsonPaths.field(path, "client_subnet"));
        yield new DnsAction.Route(
            r.server(),
            new DnsQueryOptions(
                r.server(), r.strategy(), r.disableCache(), r.rewriteTtl(), r.clientSubnet()));
      }
      case RouteOptionsFields r -> {
        checkSubnet(r.clientSubnet(), JsonPaths.field(path, "client_subnet"));
        yield new DnsAction.RouteOptions(
            new DnsQueryOptions(null, null, r.disableCache(), r.rewriteTtl(), r.clientSubnet()));
      }
      case RejectFields r -> {
        String method = r.method() == null ? "default" : r.method();
        if (!method.equals("default") && !method.equals("drop")) {
          throw new ConfigException(
              JsonPaths.field(path, "method"),
              "expected 'default' or 'drop', got '" + method + "'");
        }
        yield new DnsAction.Reject(method.equals("drop"));
      }
      case PredefinedFields p -> {
        int rcode = p.rcode() == null ? Rcode.NOERROR : rcodeOf(p.rcode(), path);
        yield new DnsAction.Predefined(
            rcode,
            records(p.answer(), JsonPaths.field(path, "answer")),
            records(p.ns(), JsonPaths.field(path, "ns")),
            records(p.extra(), JsonPaths.field(path, "extra")));
      }
      default -> throw new IllegalStateException(fields.toString());
    };
  }

  void checkServer(String tag, String path) {
    if (!servers.contains(tag)) {
      throw new ConfigException(path, "unknown DNS server '" + tag + "'");
    }
  }

  static void checkSubnet(String subnet, String path) {
    if (subnet != null) {
      try {
        ClientSubnet.parse(subnet);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(path, e.getMessage());
      }
    }
  }

  private static int rcodeOf(String name, String path) {
    int v = Rcode.value(name.toUpperCase(Locale.ROOT));
    if (v < 0 || v > 15) {
      throw new ConfigException(JsonPaths.field(path, "rcode"), "unknown rcode '" + name + "'");
    }
    return v;
  }

  /** Zone-file lines ("name. TTL IN TYPE data"), each one record. */
  private static List<Record> records(List<String> lines, String path) {
    List<Record> out = new ArrayList<>();
    if (lines == null) {
      return out;
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      try (Master m =
          new Master(
              new ByteArrayInputStream((line + "\n").getBytes(StandardCharsets.UTF_8)),
              Name.root,
              600)) {
        Record r = m.nextRecord();
        if (r == null || m.nextRecord() != null) {
          throw new ConfigException(JsonPaths.index(path, i), "expected exactly one record");
        }
        out.add(r);
      } catch (IOException e) {
        throw new ConfigException(
            JsonPaths.index(path, i), "invalid record '" + line + "': " + e.getMessage());
      }
    }
    return out;
  }
}
