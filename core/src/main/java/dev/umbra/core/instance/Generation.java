package dev.umbra.core.instance;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.adapter.Endpoint;
import dev.umbra.core.adapter.Inbound;
import dev.umbra.core.adapter.Lifecycle;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.Service;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ComponentConfig;
import dev.umbra.core.config.Config;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.dial.DefaultDialer;
import dev.umbra.core.registry.DnsServiceFactory;
import dev.umbra.core.registry.Factory;
import dev.umbra.core.registry.Kind;
import dev.umbra.core.registry.Registry;
import dev.umbra.core.relay.ConnectionTracker;
import dev.umbra.core.relay.TrafficStats;
import dev.umbra.core.route.RouteOptions;
import dev.umbra.core.route.RouterContext;
import dev.umbra.core.route.RuleRouter;
import dev.umbra.core.route.RuleSetLoader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Everything built from one configuration: outbounds, endpoints, the router, inbounds and services,
 * started in stages and closed in reverse.
 */
final class Generation implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Generation.class);

  final Config config;
  final Outbounds outbounds = new Outbounds();
  final RuleRouter router;

  /** The DNS module's service, or null when the module is absent. */
  final DnsService dns;

  /** Resolves for dialers without their own domain_resolver. */
  private final Resolver defaultResolver;

  private final JsonNode defaultDomainResolver;
  final List<Inbound> inbounds = new ArrayList<>();
  final List<Service> services = new ArrayList<>();

  /** Every component in creation order; started in this order, closed in reverse. */
  private final List<Object> components = new ArrayList<>();

  private Generation(
      Config config,
      Registry registry,
      Resolver resolver,
      TrafficStats stats,
      ConnectionTracker tracker,
      Path workingDirectory)
      throws IOException {
    this.config = config;
    RouteOptions route = RouteOptions.parse(config.root().route(), "route");
    Set<String> inboundTags = new HashSet<>();
    config.inbounds().forEach(c -> inboundTags.add(c.tag()));
    Set<String> outboundTags = new HashSet<>();
    config.outbounds().forEach(c -> outboundTags.add(c.tag()));
    config.endpoints().forEach(c -> outboundTags.add(c.tag()));
    // route.rule_set is built once and shared by the route and DNS rules (one download per remote
    // set); download detours are checked once the outbounds exist
    RuleSetLoader.Loaded ruleSets =
        RuleSetLoader.load(
            route.ruleSetsOrEmpty(),
            "route",
            new RouterContext(outbounds, inboundTags, null, stats, tracker, workingDirectory),
            false);
    var dnsFactory = registry.dnsFactory();
    if (dnsFactory.isPresent()) {
      dns =
          dnsFactory
              .get()
              .create(
                  config.root().dns(),
                  "dns",
                  new DnsServiceFactory.Context(
                      outbounds,
                      outboundTags,
                      inboundTags,
                      route.ruleSetsOrEmpty(),
                      workingDirectory,
                      config.root().experimental() == null
                          ? null
                          : config.root().experimental().cacheFile(),
                      ruleSets.sets()));
      components.add(dns);
    } else if (config.root().dns() != null
        || (config.root().experimental() != null
            && config.root().experimental().cacheFile() != null)) {
      throw new ConfigException("dns", "the DNS module (umbra-dns) is not on the class path");
    } else {
      dns = null;
    }
    defaultDomainResolver = route.defaultDomainResolver();
    Resolver base = dns != null && config.root().dns() != null ? dns : resolver;
    defaultResolver =
        defaultDomainResolver != null
            ? domainResolver(defaultDomainResolver, "route.default_domain_resolver")
            : base;
    AdapterContext context = new Context(this, defaultResolver);
    try {
      for (ComponentConfig c : config.outbounds()) {
        Outbound o = (Outbound) create(c, context);
        outbounds.add(o);
        components.add(o);
      }
      for (ComponentConfig c : config.endpoints()) {
        Endpoint e = (Endpoint) create(c, context);
        outbounds.add(e);
        components.add(e);
      }
      if (outbounds.all().isEmpty()) {
        // Like sing-box: with no outbounds at all, traffic goes direct.
        var direct =
            registry
                .find(Kind.OUTBOUND, "direct")
                .orElseThrow(() -> new ConfigException("outbounds", "no outbound configured"));
        Record none = Binder.bind(Jsonc.parse("{}", "default"), direct.optionsType(), "outbounds");
        Outbound o = (Outbound) createWith(direct.factory(), "direct", context, "outbounds", none);
        outbounds.add(o);
        components.add(o);
      }
      RouterContext rc =
          new RouterContext(
              outbounds, inboundTags, defaultResolver, stats, tracker, workingDirectory, dns);
      RuleSetLoader.checkDetours(
          route.ruleSetsOrEmpty(), "route", tag -> outbounds.get(tag).isPresent());
      router = RuleRouter.create(route, "route", rc, ruleSets);
      outbounds.setDefault(router.finalOutbound());
      components.add(router);
      for (ComponentConfig c : config.inbounds()) {
        Inbound in = (Inbound) create(c, context);
        inbounds.add(in);
        components.add(in);
      }
      for (ComponentConfig c : config.services()) {
        Service s = (Service) create(c, context);
        services.add(s);
        components.add(s);
      }
      checkGroupCycles();
      checkInboundDetours();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  static Generation build(
      Config config,
      Registry registry,
      Resolver resolver,
      TrafficStats stats,
      ConnectionTracker tracker,
      Path workingDirectory)
      throws IOException {
    return new Generation(config, registry, resolver, stats, tracker, workingDirectory);
  }

  private static Object create(ComponentConfig c, AdapterContext context) throws IOException {
    return createWith(c.registration().factory(), c.tag(), context, c.path(), c.options());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object createWith(
      Factory<?, ?> factory, String tag, AdapterContext context, String path, Record options)
      throws IOException {
    try {
      return ((Factory) factory).create(context, tag, options);
    } catch (ConfigException e) {
      if (e.path().startsWith(path)) {
        throw e;
      }
      throw new ConfigException(e.path().isEmpty() ? path : path + "." + e.path(), e.problem(), e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, e.getMessage(), e);
    }
  }

  /**
   * A {@code domain_resolver}: a DNS server tag, or an object of DNS query options. Needs the DNS
   * module; {@code path} is the field's JSON path (or relative to its owner).
   */
  Resolver domainResolver(JsonNode node, String path) {
    if (dns == null) {
      throw new ConfigException(path, "needs the DNS module (umbra-dns) on the class path");
    }
    DnsQueryOptions q;
    if (node.isString()) {
      q = new DnsQueryOptions(node.stringValue(), null, null, null, null);
    } else {
      q = Binder.bind(node, DnsQueryOptions.class, path);
    }
    try {
      return dns.resolver(q);
    } catch (ConfigException e) {
      throw new ConfigException(path + "." + e.path(), e.problem(), e);
    }
  }

  /** A listen detour must name an inbound that can take injected connections. */
  private void checkInboundDetours() {
    for (ComponentConfig c : config.inbounds()) {
      var listen =
          dev.umbra.core.config.ConfigLoader.find(
              c.options(), dev.umbra.core.config.ListenOptions.class);
      if (listen == null || listen.detour() == null) {
        continue;
      }
      boolean injectable =
          inbounds.stream()
              .anyMatch(i ->
                  i.tag().equals(listen.detour())
                      && i instanceof dev.umbra.core.adapter.InjectableInbound);
      if (!injectable) {
        throw new ConfigException(
            c.path() + ".detour",
            "inbound '" + listen.detour() + "' cannot accept connections from another inbound");
      }
    }
  }

  /** Group members and detours must not loop (a group containing itself, directly or not). */
  private void checkGroupCycles() {
    for (Outbound start : outbounds.all()) {
      walk(start, new ArrayList<>());
    }
  }

  private void walk(Outbound o, List<String> stack) {
    if (stack.contains(o.tag())) {
      stack.add(o.tag());
      throw new ConfigException(
          pathOf(stack.getFirst()), "outbound dependency loop: " + String.join(" -> ", stack));
    }
    stack.add(o.tag());
    for (String dep : o.dependencies()) {
      var next = outbounds.get(dep);
      if (next.isEmpty()) {
        throw new ConfigException(pathOf(o.tag()), "unknown outbound '" + dep + "'");
      }
      walk(next.get(), stack);
    }
    stack.removeLast();
  }

  private String pathOf(String tag) {
    for (ComponentConfig c : config.outbounds()) {
      if (c.tag().equals(tag)) {
        return c.path();
      }
    }
    for (ComponentConfig c : config.endpoints()) {
      if (c.tag().equals(tag)) {
        return c.path();
      }
    }
    return "outbounds";
  }

  /** Runs every stage for every component, in creation order per stage. */
  void start() throws IOException {
    for (StartStage stage : StartStage.values()) {
      for (Object c : components) {
        if (c instanceof Lifecycle l) {
          l.start(stage);
        }
      }
    }
  }

  /** Closes the inbounds only (their listeners), so no new connection arrives. */
  void closeInbounds() {
    for (int i = inbounds.size() - 1; i >= 0; i--) {
      closeQuietly(inbounds.get(i));
    }
  }

  @Override
  public void close() {
    for (int i = components.size() - 1; i >= 0; i--) {
      if (components.get(i) instanceof Closeable c) {
        closeQuietly(c);
      }
    }
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing {}: {}", c, e.toString());
    }
  }

  Set<String> outboundTags() {
    Set<String> tags = new HashSet<>();
    outbounds.all().forEach(o -> tags.add(o.tag()));
    return tags;
  }

  Set<String> inboundTags() {
    Set<String> tags = new HashSet<>();
    inbounds.forEach(i -> tags.add(i.tag()));
    return tags;
  }

  private record Context(Generation generation, Resolver resolver) implements AdapterContext {
    @Override
    public Router router() {
      return generation.router;
    }

    @Override
    public OutboundManager outbounds() {
      return generation.outbounds;
    }

    @Override
    public java.util.Optional<Inbound> inbound(String tag) {
      return generation.inbounds.stream().filter(i -> i.tag().equals(tag)).findFirst();
    }

    @Override
    public Dialer dialer(DialOptions options) {
      Resolver r = resolver;
      if (options != null && options.domainResolver() != null) {
        r = generation.domainResolver(options.domainResolver(), "domain_resolver");
      }
      return new DefaultDialer(options, generation.outbounds, r);
    }
  }
}
