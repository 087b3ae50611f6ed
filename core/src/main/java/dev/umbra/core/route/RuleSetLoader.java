package dev.umbra.core.route;

import dev.umbra.core.adapter.TlsConnector;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.route.rule.Rule;
import dev.umbra.core.route.rule.RuleSet;
import dev.umbra.core.route.rule.RuleSetOptions;
import dev.umbra.core.route.rule.RuleSetSource;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Builds the rule-sets of {@code route.rule_set}: inline, local (source or binary) and remote. */
public final class RuleSetLoader {
  private RuleSetLoader() {}

  /** sing-box's default {@code update_interval}. */
  static final Duration DEFAULT_UPDATE_INTERVAL = Duration.ofDays(1);

  /** Largest local rule-set file we read. */
  static final int MAX_LOCAL_BYTES = 256 << 20;

  /** The rule-sets by tag, and the remote ones that need starting (and closing) by their owner. */
  public record Loaded(Map<String, RuleSet> sets, List<RemoteRuleSet> remotes) {}

  public static Loaded load(List<JsonNode> items, String routePath, RouterContext ctx) {
    return load(items, routePath, ctx, true);
  }

  /**
   * As {@link #load(List, String, RouterContext)}; {@code checkDetours} false skips checking that
   * each {@code download_detour} exists, for a second copy built (by the DNS module) before the
   * outbounds are: the route's own load checks the same items.
   */
  public static Loaded load(
      List<JsonNode> items, String routePath, RouterContext ctx, boolean checkDetours) {
    Map<String, RuleSet> out = new LinkedHashMap<>();
    List<RemoteRuleSet> remotes = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String path = JsonPaths.index(JsonPaths.field(routePath, "rule_set"), i);
      RuleSetOptions o = Binder.bind(items.get(i), RuleSetOptions.class, path);
      if (o.tag() == null || o.tag().isEmpty()) {
        throw new ConfigException(JsonPaths.field(path, "tag"), "missing rule-set tag");
      }
      if (out.containsKey(o.tag())) {
        throw new ConfigException(
            JsonPaths.field(path, "tag"), "duplicate rule-set tag '" + o.tag() + "'");
      }
      String type = o.type() == null ? "" : o.type();
      switch (type) {
        case "inline", "" -> {
          forbid(o.path() != null, path, "path", "an inline");
          forbid(o.format() != null, path, "format", "an inline");
          forbidRemoteFields(o, path, "an inline");
          out.put(
              o.tag(),
              new RuleSet(
                  o.tag(),
                  RuleSetSource.parseRules(
                      o.rules() == null ? List.of() : o.rules(), JsonPaths.field(path, "rules"))));
        }
        case "local" -> {
          forbidRemoteFields(o, path, "a local");
          out.put(o.tag(), new RuleSet(o.tag(), loadLocal(o, path, ctx.workingDirectory())));
        }
        case "remote" -> {
          RemoteRuleSet r = remote(o, path, ctx, checkDetours);
          r.restore();
          remotes.add(r);
          out.put(o.tag(), r.ruleSet());
        }
        default ->
            throw new ConfigException(
                JsonPaths.field(path, "type"),
                "unknown rule-set type '" + type + "' (expected inline, local, remote)");
      }
    }
    return new Loaded(out, List.copyOf(remotes));
  }

  /**
   * Checks each remote rule-set's {@code download_detour} names an outbound, for rule-sets loaded
   * (with {@code checkDetours} false) before the outbounds existed.
   */
  public static void checkDetours(
      List<JsonNode> items, String routePath, java.util.function.Predicate<String> outboundExists) {
    for (int i = 0; i < items.size(); i++) {
      String path = JsonPaths.index(JsonPaths.field(routePath, "rule_set"), i);
      RuleSetOptions o = Binder.bind(items.get(i), RuleSetOptions.class, path);
      String detour = o.downloadDetour();
      if ("remote".equals(o.type())
          && detour != null
          && !detour.isEmpty()
          && !outboundExists.test(detour)) {
        throw new ConfigException(
            JsonPaths.field(path, "download_detour"), "unknown outbound '" + detour + "'");
      }
    }
  }

  private static void forbid(boolean present, String path, String field, String kind) {
    if (present) {
      throw new ConfigException(
          JsonPaths.field(path, field), "not allowed in " + kind + " rule-set");
    }
  }

  private static void forbidRemoteFields(RuleSetOptions o, String path, String kind) {
    forbid(o.url() != null, path, "url", kind);
    forbid(o.downloadDetour() != null, path, "download_detour", kind);
    forbid(o.updateInterval() != null, path, "update_interval", kind);
  }

  private static String format(RuleSetOptions o, String path, String name) {
    String format = o.format() == null ? RuleSetContent.formatFromName(name) : o.format();
    if (format == null) {
      throw new ConfigException(
          JsonPaths.field(path, "format"),
          "missing format (and '" + name + "' does not end in .json or .srs)");
    }
    if (!format.equals(RuleSetContent.SOURCE) && !format.equals(RuleSetContent.BINARY)) {
      throw new ConfigException(
          JsonPaths.field(path, "format"), "expected 'source' or 'binary', got '" + format + "'");
    }
    return format;
  }

  private static List<Rule> loadLocal(RuleSetOptions o, String path, Path workingDirectory) {
    forbid(o.rules() != null, path, "rules", "a local");
    if (o.path() == null || o.path().isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "path"), "missing path of a local rule-set");
    }
    String format = format(o, path, o.path());
    Path file = workingDirectory.resolve(o.path());
    byte[] content;
    try {
      if (Files.size(file) > MAX_LOCAL_BYTES) {
        throw new ConfigException(
            JsonPaths.field(path, "path"), file + " is larger than " + MAX_LOCAL_BYTES + " bytes");
      }
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(JsonPaths.field(path, "path"), "cannot read " + file + ": " + e);
    }
    try {
      return RuleSetContent.parse(content, format, file.toString());
    } catch (ConfigException e) {
      throw new ConfigException(JsonPaths.field(path, "path"), e.getMessage(), e);
    }
  }

  private static RemoteRuleSet remote(
      RuleSetOptions o, String path, RouterContext ctx, boolean checkDetours) {
    forbid(o.rules() != null, path, "rules", "a remote");
    forbid(o.path() != null, path, "path", "a remote");
    if (o.url() == null || o.url().isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "url"), "missing url of a remote rule-set");
    }
    URI url;
    try {
      url = new URI(o.url());
      RuleSetDownload.check(url);
    } catch (URISyntaxException | IOException e) {
      throw new ConfigException(
          JsonPaths.field(path, "url"),
          "expected an http:// or https:// URL, got '" + o.url() + "'");
    }
    var tls = TlsConnector.installed();
    if (url.getScheme().equalsIgnoreCase("https") && tls.isEmpty()) {
      throw new ConfigException(
          JsonPaths.field(path, "url"),
          "https downloads need the tls module, which is not present");
    }
    String format = format(o, path, o.url());
    String detour = o.downloadDetour();
    if (detour != null && detour.isEmpty()) {
      detour = null;
    }
    if (checkDetours && detour != null && ctx.outbounds().get(detour).isEmpty()) {
      throw new ConfigException(
          JsonPaths.field(path, "download_detour"), "unknown outbound '" + detour + "'");
    }
    Duration interval =
        o.updateInterval() == null || o.updateInterval().isZero() || o.updateInterval().isNegative()
            ? DEFAULT_UPDATE_INTERVAL
            : o.updateInterval();
    return new RemoteRuleSet(
        new RuleSet(o.tag(), List.of()),
        url,
        format,
        detour,
        interval,
        ctx.outbounds(),
        new RuleSetCache(ctx.workingDirectory(), o.tag()),
        tls);
  }
}
