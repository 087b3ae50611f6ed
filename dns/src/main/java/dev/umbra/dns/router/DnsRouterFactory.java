package dev.umbra.dns.router;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DomainStrategy;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.dial.SystemResolver;
import dev.umbra.core.registry.DnsServiceFactory;
import dev.umbra.core.route.RouterContext;
import dev.umbra.core.route.RuleSetLoader;
import dev.umbra.core.route.rule.RuleCompiler;
import dev.umbra.core.route.rule.RuleParser;
import dev.umbra.core.route.rule.RuleSet;
import dev.umbra.dns.cache.CacheFileOptions;
import dev.umbra.dns.config.DnsOptions;
import dev.umbra.dns.config.ServerFactory;
import dev.umbra.dns.transport.DnsTransport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Builds the {@link DnsRouter} from the {@code dns} block. */
public final class DnsRouterFactory implements DnsServiceFactory {
  /** sing-box's minimum and default cache capacity. */
  static final int MIN_CACHE = 1024;

  private final Path resolvConf;
  private final Path etcHosts;

  public DnsRouterFactory() {
    this(Path.of("/etc/resolv.conf"), Path.of("/etc/hosts"));
  }

  public DnsRouterFactory(Path resolvConf, Path etcHosts) {
    this.resolvConf = resolvConf;
    this.etcHosts = etcHosts;
  }

  @Override
  public DnsService create(JsonNode dns, String path, Context ctx) {
    DnsOptions o =
        dns == null || dns.isNull() ? DnsOptions.EMPTY : Binder.bind(dns, DnsOptions.class, path);
    DnsRouter[] self = new DnsRouter[1];
    ServerFactory sf =
        new ServerFactory(
            ctx,
            q -> {
              if (self[0] == null) {
                throw new IllegalStateException("DNS router not built yet");
              }
              return self[0].resolver(q);
            },
            resolvConf,
            etcHosts);
    Map<String, DnsTransport> servers = new LinkedHashMap<>();
    List<JsonNode> raw = o.servers() == null ? List.of() : o.servers();
    List<String> domainResolverChecks = new ArrayList<>();
    try {
      for (int i = 0; i < raw.size(); i++) {
        String p = JsonPaths.index(JsonPaths.field(path, "servers"), i);
        String tag = ServerFactory.tagOf(raw.get(i), p, i);
        if (servers.containsKey(tag)) {
          throw new ConfigException(
              JsonPaths.field(p, "tag"), "duplicate DNS server tag '" + tag + "'");
        }
        servers.put(tag, sf.create(raw.get(i), p, tag));
        JsonNode dr = raw.get(i).get("domain_resolver");
        if (dr == null) {
          dr = raw.get(i).get("address_resolver");
        }
        if (dr != null && !dr.isNull()) {
          String target = dr.isString() ? dr.stringValue() : dr.path("server").asString(null);
          if (target != null) {
            domainResolverChecks.add(p + "\u0000" + target + "\u0000" + tag);
          }
        }
      }
      if (servers.isEmpty()) {
        // like sing-box: with no servers, the system's resolver configuration
        servers.put(
            "local",
            sf.create(Jsonc.parse("{\"type\":\"local\"}", "default"), path + ".servers", "local"));
      }
      for (String c : domainResolverChecks) {
        String[] f = c.split("\u0000");
        if (!servers.containsKey(f[1])) {
          throw new ConfigException(
              JsonPaths.field(f[0], "domain_resolver"), "unknown DNS server '" + f[1] + "'");
        }
        if (f[1].equals(f[2])) {
          throw new ConfigException(
              JsonPaths.field(f[0], "domain_resolver"), "a DNS server cannot resolve itself");
        }
      }
      String fin = o.finalServer();
      DnsTransport finalServer;
      if (fin != null && !fin.isEmpty()) {
        finalServer = servers.get(fin);
        if (finalServer == null) {
          throw new ConfigException(
              JsonPaths.field(path, "final"), "unknown DNS server '" + fin + "'");
        }
      } else {
        finalServer = servers.values().iterator().next();
      }
      int capacity = o.cacheCapacity() == null ? MIN_CACHE : o.cacheCapacity();
      if (capacity < 0) {
        throw new ConfigException(JsonPaths.field(path, "cache_capacity"), "must be positive");
      }
      capacity = Math.max(MIN_CACHE, capacity);
      if (o.clientSubnet() != null) {
        DnsRuleParser.checkSubnet(o.clientSubnet(), JsonPaths.field(path, "client_subnet"));
      }
      // route.rule_set: the instance's shared copy when given; else (embedding, tests) a copy of
      // our own, built only when there are DNS rules, whose remote sets this router runs
      List<JsonNode> rawRules = o.rules() == null ? List.of() : o.rules();
      RuleSetLoader.Loaded loaded;
      if (ctx.loadedRuleSets() != null) {
        // the instance's copy, shared with the route (which starts and closes remote ones)
        loaded = new RuleSetLoader.Loaded(ctx.loadedRuleSets(), List.of());
      } else if (rawRules.isEmpty()) {
        loaded = new RuleSetLoader.Loaded(Map.of(), List.of());
      } else {
        loaded =
            RuleSetLoader.load(
                ctx.ruleSets(),
                "route",
                new RouterContext(
                    ctx.outbounds(),
                    ctx.inboundTags(),
                    SystemResolver.INSTANCE,
                    null,
                    null,
                    ctx.workingDirectory()),
                false);
      }
      Map<String, RuleSet> ruleSets = loaded.sets();
      DnsRuleParser parser =
          new DnsRuleParser(
              new RuleParser(new RuleCompiler(ctx.inboundTags(), ruleSets, true), false),
              servers.keySet());
      List<DnsRouteRule> rules = new ArrayList<>();
      for (int i = 0; i < rawRules.size(); i++) {
        rules.add(
            parser.parse(rawRules.get(i), JsonPaths.index(JsonPaths.field(path, "rules"), i)));
      }
      DnsRouter.Settings settings =
          new DnsRouter.Settings(
              o.strategy() == null ? DomainStrategy.AS_IS : o.strategy(),
              Boolean.TRUE.equals(o.disableCache()),
              Boolean.TRUE.equals(o.disableExpire()),
              Boolean.TRUE.equals(o.independentCache()),
              capacity,
              Boolean.TRUE.equals(o.reverseMapping()),
              o.clientSubnet());
      self[0] =
          new DnsRouter(
              servers,
              rules,
              finalServer,
              settings,
              loaded.remotes(),
              cacheSettings(ctx.cacheFile(), ctx.workingDirectory()));
      return self[0];
    } catch (RuntimeException e) {
      for (DnsTransport t : servers.values()) {
        try {
          t.close();
        } catch (java.io.IOException ignored) {
          // failing to build anyway
        }
      }
      throw e;
    }
  }

  /** {@code experimental.cache_file}, checked; null when absent or not enabled. */
  static DnsRouter.CacheSettings cacheSettings(JsonNode node, Path workingDirectory) {
    if (node == null || node.isNull()) {
      return null;
    }
    String path = "experimental.cache_file";
    CacheFileOptions o = Binder.bind(node, CacheFileOptions.class, path);
    if (!Boolean.TRUE.equals(o.enabled())) {
      return null;
    }
    String file = o.path() == null || o.path().isEmpty() ? CacheFileOptions.DEFAULT_PATH : o.path();
    java.time.Duration rdrc =
        o.rdrcTimeout() == null || o.rdrcTimeout().isZero() || o.rdrcTimeout().isNegative()
            ? CacheFileOptions.DEFAULT_RDRC_TIMEOUT
            : o.rdrcTimeout();
    return new DnsRouter.CacheSettings(
        workingDirectory.resolve(file),
        o.cacheId() == null ? "" : o.cacheId(),
        Boolean.TRUE.equals(o.storeFakeip()),
        Boolean.TRUE.equals(o.storeRdrc()),
        rdrc);
  }

  /** For tests and embedding: the query options a {@code domain_resolver} string names. */
  static DnsQueryOptions server(String tag) {
    return new DnsQueryOptions(tag, null, null, null, null);
  }
}
