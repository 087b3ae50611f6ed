package dev.umbra.core.route.action;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DomainStrategy;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Reads the action fields of a rule object (they sit beside the match fields). */
public final class ActionParser {
  private ActionParser() {}

  /** {@code route}: outbound plus route-options. */
  public record RouteFields(String outbound, @Flatten OverrideOptions overrides) {}

  /** {@code reject}. */
  public record RejectFields(String method, Boolean noDrop) {}

  /** {@code route-options}. */
  public record RouteOptionsFields(@Flatten OverrideOptions overrides) {}

  /** {@code sniff}. */
  public record SniffFields(List<String> sniffer, Duration timeout) {}

  /** {@code resolve}. */
  public record ResolveFields(
      String server,
      DomainStrategy strategy,
      Boolean disableCache,
      Long rewriteTtl,
      String clientSubnet) {}

  /** {@code hijack-dns}: no fields. */
  public record HijackDnsFields() {}

  /** Sniffer names sing-box knows; those Umbra lacks are rejected by name. */
  public static final Set<String> SING_BOX_SNIFFERS =
      Set.of("http", "tls", "quic", "stun", "dns", "bittorrent", "dtls", "ssh", "rdp", "ntp");

  public static final Duration DEFAULT_SNIFF_TIMEOUT = Duration.ofMillis(300);

  /** The record class holding the fields of the named action. */
  public static Class<? extends Record> fieldsOf(String action, String path) {
    return switch (action) {
      case "route" -> RouteFields.class;
      case "reject" -> RejectFields.class;
      case "route-options" -> RouteOptionsFields.class;
      case "sniff" -> SniffFields.class;
      case "resolve" -> ResolveFields.class;
      case "hijack-dns" -> HijackDnsFields.class;
      case "bypass" -> throw new ConfigException(path, "action 'bypass' is not supported yet");
      default ->
          throw new ConfigException(
              path,
              "unknown action '"
                  + action
                  + "' (expected route, reject, route-options, sniff, resolve, hijack-dns)");
    };
  }

  /**
   * Binds the action fields from {@code node}, ignoring the keys that belong to the match part.
   *
   * @param availableSniffers names of the sniffers present, to check the sniffer list
   */
  public static RuleAction parse(
      JsonNode node,
      String action,
      String path,
      Set<String> matchKeys,
      Set<String> availableSniffers) {
    Class<? extends Record> type = fieldsOf(action, JsonPaths.field(path, "action"));
    Set<String> other = new HashSet<>(matchKeys);
    other.add("action");
    other.add("type");
    Record fields = Binder.bind(node, type, path, other);
    return switch (fields) {
      case RouteFields r -> {
        if (r.outbound() == null) {
          throw new ConfigException(
              JsonPaths.field(path, "outbound"), "missing outbound for action 'route'");
        }
        yield new RuleAction.Route(r.outbound(), r.overrides());
      }
      case RejectFields r -> {
        String method = r.method() == null ? "default" : r.method();
        if (!method.equals("default") && !method.equals("drop")) {
          throw new ConfigException(
              JsonPaths.field(path, "method"),
              "expected 'default' or 'drop', got '" + method + "'");
        }
        yield new RuleAction.Reject(method.equals("drop"), Boolean.TRUE.equals(r.noDrop()));
      }
      case RouteOptionsFields r -> new RuleAction.RouteOptions(r.overrides());
      case SniffFields s -> {
        List<String> names = s.sniffer() == null ? List.of() : s.sniffer();
        for (int i = 0; i < names.size(); i++) {
          String n = names.get(i);
          String p = JsonPaths.index(JsonPaths.field(path, "sniffer"), i);
          if (!availableSniffers.contains(n)) {
            throw new ConfigException(
                p,
                SING_BOX_SNIFFERS.contains(n)
                    ? "sniffer '" + n + "' is not supported yet"
                    : "unknown sniffer '" + n + "'");
          }
        }
        yield new RuleAction.Sniff(
            names, s.timeout() == null ? DEFAULT_SNIFF_TIMEOUT : s.timeout());
      }
      case ResolveFields r ->
          new RuleAction.Resolve(
              r.strategy(),
              new dev.umbra.core.adapter.DnsQueryOptions(
                  r.server(), r.strategy(), r.disableCache(), r.rewriteTtl(), r.clientSubnet()));
      case HijackDnsFields h -> new RuleAction.HijackDns();
      default -> throw new IllegalStateException(fields.toString());
    };
  }
}
