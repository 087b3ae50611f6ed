package dev.umbra.core.route;

import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Lifecycle;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.RejectedException;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.relay.CountedConn;
import dev.umbra.core.relay.Relay;
import dev.umbra.core.relay.TrafficCounter;
import dev.umbra.core.route.action.ActionParser;
import dev.umbra.core.route.action.OverrideOptions;
import dev.umbra.core.route.action.RuleAction;
import dev.umbra.core.route.rule.RuleCompiler;
import dev.umbra.core.route.rule.RuleParser;
import dev.umbra.core.route.rule.RuleSet;
import dev.umbra.core.sniff.Sniffers;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The router: evaluates {@code route.rules} in order for each connection (non-final actions enrich
 * the metadata, the first final action decides), dials the chosen outbound and relays.
 */
public final class RuleRouter implements Router, Lifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(RuleRouter.class);
  static final Duration DEFAULT_UDP_TIMEOUT = Duration.ofMinutes(5);

  private final List<RouteRule> rules;
  private final String finalOutbound;
  private final RouterContext ctx;
  private final Sniffers sniffers = Sniffers.installed();
  private final RejectCounter rejects = new RejectCounter();

  private final List<RemoteRuleSet> remotes;

  private RuleRouter(
      List<RouteRule> rules, String finalOutbound, RouterContext ctx, List<RemoteRuleSet> remotes) {
    this.rules = List.copyOf(rules);
    this.remotes = remotes;
    this.finalOutbound = finalOutbound;
    this.ctx = ctx;
  }

  /** Parses and checks the route block (every reference, regex, CIDR and port) against ctx. */
  public static RuleRouter create(RouteOptions route, String path, RouterContext ctx) {
    return create(route, path, ctx, RuleSetLoader.load(route.ruleSetsOrEmpty(), path, ctx));
  }

  /**
   * As {@link #create(RouteOptions, String, RouterContext)} with rule-sets the instance loaded
   * already (and shares with the DNS rules); the router starts and closes their remote ones.
   */
  public static RuleRouter create(
      RouteOptions route, String path, RouterContext ctx, RuleSetLoader.Loaded loaded) {
    Map<String, RuleSet> ruleSets = loaded.sets();
    RuleParser parser = new RuleParser(new RuleCompiler(ctx.inboundTags(), ruleSets), false);
    Set<String> sniffers = Sniffers.installed().names();
    List<RouteRule> rules = new ArrayList<>();
    List<JsonNode> raw = route.rulesOrEmpty();
    for (int i = 0; i < raw.size(); i++) {
      String rulePath = JsonPaths.index(JsonPaths.field(path, "rules"), i);
      JsonNode node = raw.get(i);
      if (!node.isObject()) {
        throw new ConfigException(rulePath, "expected a rule object");
      }
      JsonNode actionNode = node.get("action");
      String action = "route";
      if (actionNode != null && !actionNode.isNull()) {
        if (!actionNode.isString()) {
          throw new ConfigException(JsonPaths.field(rulePath, "action"), "expected a string");
        }
        action = actionNode.stringValue().isEmpty() ? "route" : actionNode.stringValue();
      }
      Set<String> actionKeys =
          new HashSet<>(
              dev.umbra.core.config.Binder.keysOf(
                  ActionParser.fieldsOf(action, JsonPaths.field(rulePath, "action"))));
      actionKeys.add("action");
      var rule = parser.parse(node, rulePath, actionKeys);
      RuleAction ruleAction =
          ActionParser.parse(node, action, rulePath, parser.matchKeys(node), sniffers);
      if (ruleAction instanceof RuleAction.Route r && ctx.outbounds().get(r.outbound()).isEmpty()) {
        throw new ConfigException(
            JsonPaths.field(rulePath, "outbound"), "unknown outbound '" + r.outbound() + "'");
      }
      checkDns(ruleAction, rulePath, ctx);
      rules.add(new RouteRule(rule, ruleAction, rulePath));
    }
    String fin = route.finalOutbound();
    if (fin != null && !fin.isEmpty() && ctx.outbounds().get(fin).isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "final"), "unknown outbound '" + fin + "'");
    }
    return new RuleRouter(rules, fin == null || fin.isEmpty() ? null : fin, ctx, loaded.remotes());
  }

  private static void checkDns(RuleAction action, String rulePath, RouterContext ctx) {
    switch (action) {
      case RuleAction.HijackDns h -> {
        if (ctx.dns() == null) {
          throw new ConfigException(
              JsonPaths.field(rulePath, "action"),
              "action 'hijack-dns' needs the DNS module (umbra-dns) on the class path");
        }
      }
      case RuleAction.Resolve r -> {
        if (ctx.dns() != null) {
          try {
            ctx.dns().resolver(r.query());
          } catch (ConfigException e) {
            throw new ConfigException(JsonPaths.field(rulePath, e.path()), e.problem(), e);
          }
        } else if (r.query().server() != null) {
          throw new ConfigException(
              JsonPaths.field(rulePath, "server"),
              "a resolve server needs the DNS module (umbra-dns) on the class path");
        }
      }
      default -> {}
    }
  }

  /** The tag of {@code route.final}, or null for the first outbound. */
  public String finalOutbound() {
    return finalOutbound;
  }

  /** The outcome of rule evaluation for one connection. */
  record Decision(
      Metadata metadata,
      Outbound outbound,
      RuleAction.Reject reject,
      Overrides overrides,
      Conn conn,
      PacketConn packets,
      boolean hijackDns) {
    Decision(
        Metadata metadata,
        Outbound outbound,
        RuleAction.Reject reject,
        Overrides overrides,
        Conn conn,
        PacketConn packets) {
      this(metadata, outbound, reject, overrides, conn, packets, false);
    }
  }

  /** Route-options accumulated on the way. */
  record Overrides(String address, Integer port, Duration udpTimeout) {
    static final Overrides NONE = new Overrides(null, null, null);

    Overrides with(OverrideOptions o) {
      if (o == null) {
        return this;
      }
      return new Overrides(
          o.overrideAddress() != null ? o.overrideAddress() : address,
          o.overridePort() != null ? o.overridePort() : port,
          o.udpTimeout() != null ? o.udpTimeout() : udpTimeout);
    }

    Destination apply(Destination d) {
      Destination out = d;
      if (address != null) {
        out = Destination.of(address, out.port());
      }
      if (port != null) {
        out = out.withPort(port);
      }
      return out;
    }
  }

  Decision decide(
      Metadata metadata, Conn conn, PacketConn packets, Handshake handshake, boolean[] answered)
      throws IOException {
    Metadata m = unmapFakeIp(metadata);
    Conn c = conn;
    PacketConn p = packets;
    Overrides overrides = Overrides.NONE;
    for (RouteRule rr : rules) {
      if (!rr.rule().match(m)) {
        continue;
      }
      switch (rr.action()) {
        case RuleAction.Route r -> {
          Outbound o = ctx.outbounds().get(r.outbound()).orElseThrow();
          return new Decision(m, o, null, overrides.with(r.overrides()), c, p);
        }
        case RuleAction.Reject r -> {
          return new Decision(m, null, r, overrides, c, p);
        }
        case RuleAction.HijackDns h -> {
          return new Decision(m, null, null, overrides, c, p, true);
        }
        case RuleAction.RouteOptions r -> overrides = overrides.with(r.overrides());
        case RuleAction.Sniff s -> {
          if (c != null) {
            if (!answered[0]) {
              // The client sends its first bytes only after the handshake reply.
              handshake.succeed();
              answered[0] = true;
            }
            Sniffing.Result sr = Sniffing.sniffStream(c, sniffers, s, m);
            c = sr.conn();
            m = sr.metadata();
          } else if (p != null) {
            Sniffing.PacketResult pr = Sniffing.sniffPackets(p, sniffers, s, m);
            p = pr.conn();
            m = pr.metadata();
          }
        }
        case RuleAction.Resolve r ->
            m =
                Sniffing.resolve(
                    m, r, ctx.dns() != null ? ctx.dns().resolver(r.query()) : ctx.resolver());
      }
    }
    return new Decision(m, ctx.outbounds().defaultOutbound(), null, overrides, c, p);
  }

  /**
   * A FakeIP destination becomes its domain again before any rule sees it; with reverse_mapping a
   * real address learns the domain it was answered for (as the sniffed domain).
   */
  private Metadata unmapFakeIp(Metadata m) throws IOException {
    if (ctx.dns() == null || !(m.destination() instanceof Destination.Ip ip)) {
      return m;
    }
    var fake = ctx.dns().fakeIpDomain(ip.address());
    if (fake.isPresent()) {
      return m.withDestination(new Destination.Domain(fake.get(), ip.port()));
    }
    if (ctx.dns().isFakeIp(ip.address())) {
      throw new IOException(
          "missing FakeIP record for " + ip.address().getHostAddress() + " (expired or unknown)");
    }
    if (m.sniffedDomain() == null) {
      var reverse = ctx.dns().reverseDomain(ip.address());
      if (reverse.isPresent()) {
        return m.withSniffed(m.protocol(), reverse.get());
      }
    }
    return m;
  }

  @Override
  public void routeConnection(Conn conn, Metadata metadata, Handshake handshake) {
    boolean[] answered = {false};
    Conn client = conn;
    try {
      Decision d = decide(metadata, conn, null, handshake, answered);
      client = d.conn();
      if (d.hijackDns()) {
        if (!answered[0]) {
          handshake.succeed();
          answered[0] = true;
        }
        DnsHijack.serveStream(client, d.metadata(), ctx.dns());
        return;
      }
      if (d.reject() != null) {
        boolean drop = rejects.shouldDrop(d.reject());
        LOG.info(
            "[{}] {} -> {} rejected by rule",
            metadata.inbound(),
            metadata.source(),
            metadata.destination());
        if (!answered[0] && !drop) {
          handshake.fail(new RejectedException("rejected by route rule"));
        }
        return;
      }
      Metadata m = d.metadata();
      Destination target = d.overrides().apply(m.destination());
      Outbound outbound = d.outbound();
      Conn remote;
      try {
        requireNetwork(outbound, Network.TCP);
        remote = outbound.dial(m.withDestination(target));
      } catch (IOException e) {
        LOG.warn(
            "[{}] {} -> {} via {}: {}",
            m.inbound(),
            m.source(),
            target,
            outbound.tag(),
            e.toString());
        if (!answered[0]) {
          handshake.fail(e);
        }
        return;
      }
      if (!answered[0]) {
        try {
          handshake.succeed();
        } catch (IOException e) {
          remote.close();
          throw e;
        }
        answered[0] = true;
      }
      LOG.debug("[{}] {} -> {} via {}", m.inbound(), m.source(), target, outbound.tag());
      Conn finalClient = client;
      try (Closeable tracked =
          ctx.tracker()
              .track(
                  m,
                  outbound.tag(),
                  () -> {
                    closeQuietly(finalClient);
                    closeQuietly(remote);
                  })) {
        TrafficCounter counter = ctx.stats().counterFor(m, outbound.tag());
        Relay.pipe(client, remote, new Relay.Options(null, List.of(counter)));
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "[{}] {} -> {}: {}",
          metadata.inbound(),
          metadata.source(),
          metadata.destination(),
          e.toString());
    } finally {
      closeQuietly(client);
    }
  }

  @Override
  public Conn open(Metadata metadata) throws IOException {
    Decision d = decide(metadata, null, null, null, new boolean[] {true});
    if (d.reject() != null) {
      LOG.info(
          "[{}] {} -> {} rejected by rule",
          metadata.inbound(),
          metadata.source(),
          metadata.destination());
      throw new RejectedException("rejected by route rule");
    }
    Metadata m = d.metadata();
    Destination target = d.overrides().apply(m.destination());
    Outbound outbound = d.outbound();
    Conn remote;
    try {
      requireNetwork(outbound, Network.TCP);
      remote = outbound.dial(m.withDestination(target));
    } catch (IOException e) {
      LOG.warn(
          "[{}] {} -> {} via {}: {}",
          m.inbound(),
          m.source(),
          target,
          outbound.tag(),
          e.toString());
      throw e;
    }
    LOG.debug("[{}] {} -> {} via {}", m.inbound(), m.source(), target, outbound.tag());
    Closeable tracked = ctx.tracker().track(m, outbound.tag(), remote);
    return new CountedConn(remote, ctx.stats().counterFor(m, outbound.tag()), tracked);
  }

  @Override
  public void routePackets(PacketConn conn, Metadata metadata, Handshake handshake) {
    boolean[] answered = {false};
    try {
      Decision d = decide(metadata, null, conn, handshake, answered);
      PacketConn client = d.packets();
      if (d.hijackDns()) {
        handshake.succeed();
        DnsHijack.servePackets(client, d.metadata(), ctx.dns(), d.overrides().udpTimeout());
        return;
      }
      if (d.reject() != null) {
        LOG.info(
            "[{}] udp {} -> {} rejected by rule",
            metadata.inbound(),
            metadata.source(),
            metadata.destination());
        if (!rejects.shouldDrop(d.reject())) {
          handshake.fail(new RejectedException("rejected by route rule"));
        }
        return;
      }
      Metadata m = d.metadata();
      Outbound outbound = d.outbound();
      PacketConn remote;
      try {
        requireNetwork(outbound, Network.UDP);
        remote = outbound.listenPacket(m.withDestination(d.overrides().apply(m.destination())));
      } catch (IOException e) {
        LOG.warn(
            "[{}] udp {} -> {} via {}: {}",
            m.inbound(),
            m.source(),
            m.destination(),
            outbound.tag(),
            e.toString());
        handshake.fail(e);
        return;
      }
      handshake.succeed();
      LOG.debug(
          "[{}] udp {} -> {} via {}", m.inbound(), m.source(), m.destination(), outbound.tag());
      Duration idle =
          d.overrides().udpTimeout() != null
              ? d.overrides().udpTimeout()
              : client.idleTimeout() != null ? client.idleTimeout() : DEFAULT_UDP_TIMEOUT;
      try (Closeable tracked =
          ctx.tracker()
              .track(
                  m,
                  outbound.tag(),
                  () -> {
                    closeQuietly(client);
                    closeQuietly(remote);
                  })) {
        PacketRelay.pipe(
            client, remote, d.overrides()::apply, idle, ctx.stats().counterFor(m, outbound.tag()));
      } finally {
        closeQuietly(remote);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "[{}] udp {} -> {}: {}",
          metadata.inbound(),
          metadata.source(),
          metadata.destination(),
          e.toString());
    } finally {
      closeQuietly(conn);
    }
  }

  private static void requireNetwork(Outbound o, Network n) throws IOException {
    if (!o.networks().contains(n)) {
      throw new IOException(
          "outbound '" + o.tag() + "' does not carry " + n.configName() + " (its network setting)");
    }
  }

  static void closeQuietly(Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException ignored) {
      // already failing or finished; nothing to report
    }
  }

  /** Remote rule-sets download once every outbound has started. */
  @Override
  public void start(StartStage stage) {
    if (stage == StartStage.POST_START) {
      remotes.forEach(RemoteRuleSet::start);
    }
  }

  @Override
  public void close() {
    remotes.forEach(RemoteRuleSet::close);
  }

  /** sing-box's reject: after 50 rejects within 30 s, switch to silent drop unless no_drop. */
  static final class RejectCounter {
    private static final int LIMIT = 50;
    private static final long WINDOW_NANOS = Duration.ofSeconds(30).toNanos();
    private final java.util.ArrayDeque<Long> times = new java.util.ArrayDeque<>();

    synchronized boolean shouldDrop(RuleAction.Reject r) {
      if (r.drop()) {
        return true;
      }
      if (r.noDrop()) {
        return false;
      }
      long now = System.nanoTime();
      while (!times.isEmpty() && now - times.peekFirst() > WINDOW_NANOS) {
        times.pollFirst();
      }
      times.addLast(now);
      return times.size() > LIMIT;
    }
  }
}
