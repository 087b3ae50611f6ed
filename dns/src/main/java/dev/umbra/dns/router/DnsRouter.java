package dev.umbra.dns.router;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DomainStrategy;
import dev.umbra.core.dial.AddressOrder;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.route.RemoteRuleSet;
import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsFormatException;
import dev.umbra.dns.message.DnsLimits;
import dev.umbra.dns.message.Messages;
import dev.umbra.dns.message.WireQuery;
import dev.umbra.dns.transport.DnsTransport;
import dev.umbra.dns.transport.FakeIpTransport;
import dev.umbra.dns.transport.HostsTable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNS router: matches {@code dns.rules} for each query, asks the chosen server (through the
 * cache), and applies the strategy, TTL rewrite and client subnet. It is the resolver for dialers
 * and the router, and the server behind {@code hijack-dns}.
 */
public final class DnsRouter implements DnsService {
  private static final Logger LOG = LoggerFactory.getLogger(DnsRouter.class);

  /** Top-level options after defaults. */
  public record Settings(
      DomainStrategy strategy,
      boolean disableCache,
      boolean disableExpire,
      boolean independentCache,
      int cacheCapacity,
      boolean reverseMapping,
      String clientSubnet) {}

  private final Map<String, DnsTransport> servers;
  private final List<DnsRouteRule> rules;
  private final DnsTransport finalServer;
  private final Settings settings;
  private final DnsCache cache;
  private final Decision finalDecision;
  private final Map<InetAddress, String> reverse;
  private final List<RemoteRuleSet> remoteRuleSets;

  /** sing-box's RDRC (experimental.cache_file.store_rdrc), or null. */
  private volatile RejectedResponseCache rdrc;

  /** {@code experimental.cache_file} when enabled, with its file resolved; else null. */
  record CacheSettings(
      java.nio.file.Path path,
      String cacheId,
      boolean storeFakeIp,
      boolean storeRdrc,
      java.time.Duration rdrcTimeout) {}

  private final CacheSettings cacheSettings;
  private dev.umbra.dns.cache.CacheFile cacheFile;

  DnsRouter(
      Map<String, DnsTransport> servers,
      List<DnsRouteRule> rules,
      DnsTransport finalServer,
      Settings settings,
      List<RemoteRuleSet> remoteRuleSets) {
    this(servers, rules, finalServer, settings, remoteRuleSets, null);
  }

  DnsRouter(
      Map<String, DnsTransport> servers,
      List<DnsRouteRule> rules,
      DnsTransport finalServer,
      Settings settings,
      List<RemoteRuleSet> remoteRuleSets,
      CacheSettings cacheSettings) {
    this.cacheSettings = cacheSettings;
    this.remoteRuleSets = List.copyOf(remoteRuleSets);
    this.servers = servers;
    this.rules = List.copyOf(rules);
    this.finalServer = finalServer;
    this.settings = settings;
    this.cache = new DnsCache(settings.cacheCapacity(), settings.disableExpire());
    this.finalDecision = new Decision(finalServer, DnsQueryOptions.DEFAULT);
    int cap = settings.cacheCapacity();
    this.reverse =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<InetAddress, String> eldest) {
            return size() > cap;
          }
        };
  }

  List<DnsRouteRule> rules() {
    return rules;
  }

  public Map<String, DnsTransport> servers() {
    return servers;
  }

  // ---- serving clients ----

  @Override
  public byte[] serve(byte[] wire, int length, Metadata metadata, boolean stream) {
    Message query;
    try {
      query = DnsCodec.parse(wire, 0, length, DnsLimits.QUERY);
    } catch (DnsFormatException e) {
      LOG.info("[{}] dns query from {}: {}", metadata.inbound(), metadata.source(), e.getMessage());
      return length >= DnsCodec.HEADER_SIZE ? formErr(DnsCodec.id(wire, 0, length)) : null;
    }
    if (query.getHeader().getFlag(Flags.QR)) {
      LOG.info(
          "[{}] dns from {}: a response, not a query; dropped",
          metadata.inbound(),
          metadata.source());
      return null;
    }
    if (query.getHeader().getOpcode() != Opcode.QUERY) {
      return DnsCodec.encode(Messages.reply(query, Rcode.NOTIMP));
    }
    if (query.getSection(Section.QUESTION).size() != 1) {
      return formErr(query.getHeader().getID());
    }
    Message response;
    try {
      response = exchange(query, metadata, DnsQueryOptions.DEFAULT);
    } catch (DropException e) {
      return null;
    } catch (IOException e) {
      LOG.info(
          "[{}] dns {} {} for {}: {}",
          metadata.inbound(),
          query.getQuestion().getName(),
          Type.string(query.getQuestion().getType()),
          metadata.source(),
          e.toString());
      response = Messages.reply(query, Rcode.SERVFAIL);
    }
    response.getHeader().setID(query.getHeader().getID());
    OPTRecord clientOpt = query.getOPT();
    if (clientOpt == null) {
      // RFC 6891: no OPT in an answer to a query without one
      for (Record r : response.getSection(Section.ADDITIONAL)) {
        if (r instanceof OPTRecord) {
          response.removeRecord(r, Section.ADDITIONAL);
        }
      }
    }
    int max = 65_535;
    if (!stream) {
      max = clientOpt == null ? 512 : Math.max(512, Math.min(65_535, clientOpt.getPayloadSize()));
    }
    return DnsCodec.encode(response, max);
  }

  /**
   * A cache hit answered from the wire: a plain query (see {@link WireQuery}) whose rules lead to a
   * server without an address check, answered from the cache with the ID and TTLs patched into the
   * stored encoding. Everything else (misses, rejects, predefined answers, strategies that filter,
   * answers that need truncation) is left to {@link #serve}.
   */
  @Override
  public byte[] serveAtOnce(byte[] wire, int length, Metadata metadata, boolean stream) {
    byte[] out = new byte[65_535];
    int n = serveAtOnce(wire, length, metadata, stream, out);
    return n < 0 ? null : java.util.Arrays.copyOf(out, n);
  }

  /**
   * {@link #serveAtOnce(byte[], int, Metadata, boolean)} into {@code out}. Without DNS rules a hit
   * allocates nothing (no parse, no key, no copy): the cache is probed with the query's own bytes
   * and the stored answer is patched straight into {@code out}.
   */
  @Override
  public int serveAtOnce(byte[] wire, int length, Metadata metadata, boolean stream, byte[] out) {
    int nameEnd = WireQuery.scan(wire, length);
    if (nameEnd < 0) {
      return -1;
    }
    int type = WireQuery.type(wire, nameEnd);
    Decision d =
        rules.isEmpty() ? finalDecision : decide(wire, WireQuery.parse(wire, length), metadata);
    if (d == null) {
      return -1;
    }
    DnsTransport t = d.server();
    DnsQueryOptions o = d.options();
    if (t == null || t instanceof FakeIpTransport) {
      return -1;
    }
    boolean useCache = !(o.disableCache() != null ? o.disableCache() : settings.disableCache());
    DomainStrategy strategy = o.strategy() != null ? o.strategy() : settings.strategy();
    if (!useCache
        || (type == Type.A && strategy == DomainStrategy.IPV6_ONLY)
        || (type == Type.AAAA && strategy == DomainStrategy.IPV4_ONLY)) {
      return -1;
    }
    long fixedTtl = o.rewriteTtl() != null ? o.rewriteTtl() : -1;
    int max = stream ? 65_535 : WireQuery.udpLimit(WireQuery.payloadSize(wire, nameEnd));
    return cache.getWireInto(
        wire,
        nameEnd,
        settings.independentCache() ? t.tag() : "",
        System.nanoTime(),
        fixedTtl,
        max,
        out);
  }

  /** Where a query goes and with which options, when a rule (or {@code final}) routes it. */
  private record Decision(DnsTransport server, DnsQueryOptions options) {}

  /**
   * The rules walked as {@link #exchange} walks them, up to the first final action: a route without
   * an address check gives its server; any other outcome is left to the full path (null).
   */
  private Decision decide(byte[] wire, WireQuery q, Metadata metadata) {
    Name name;
    try {
      name =
          new Name(
              new DNSInput(java.util.Arrays.copyOfRange(wire, DnsCodec.HEADER_SIZE, q.nameEnd())));
    } catch (IOException e) {
      return null;
    }
    Metadata m = dnsMetadata(metadata, name);
    boolean addressQuery = q.type() == Type.A || q.type() == Type.AAAA || q.type() == Type.HTTPS;
    DnsQueryOptions o = DnsQueryOptions.DEFAULT;
    for (DnsRouteRule rr : rules) {
      DnsRule rule = rr.rule();
      boolean addressLimit = rule.withAddressLimit();
      if ((addressLimit && !addressQuery) || !rule.match(m, q.type())) {
        continue;
      }
      if (addressLimit) {
        return null;
      }
      switch (rr.action()) {
        case DnsAction.Route r -> {
          DnsTransport t = servers.get(r.server());
          return t == null ? null : new Decision(t, merge(o, r.options()));
        }
        case DnsAction.RouteOptions r -> o = merge(o, r.options());
        default -> {
          return null;
        }
      }
    }
    return new Decision(finalServer, o);
  }

  private static byte[] formErr(int id) {
    Message m = new Message(id);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setRcode(Rcode.FORMERR);
    return DnsCodec.encode(m);
  }

  /** Thrown when a rule says to drop the query without any answer. */
  static final class DropException extends IOException {
    DropException() {
      super("dropped by a DNS rule");
    }
  }

  // ---- routing ----

  /** Answers one query by the rules (or straight from {@code options.server()} when set). */
  public Message exchange(Message query, Metadata metadata, DnsQueryOptions options)
      throws IOException {
    return exchange(query, metadata, options, true);
  }

  /**
   * @param allowFakeIp false for Umbra's own lookups (dialers, the resolve action): like sing-box,
   *     a rule routing to a fakeip server is skipped there
   */
  Message exchange(Message query, Metadata metadata, DnsQueryOptions options, boolean allowFakeIp)
      throws IOException {
    Record q = query.getQuestion();
    if (options.server() != null) {
      return ask(server(options.server()), query, options, null);
    }
    // the rules' view of the query; without rules nobody reads it
    Metadata m = rules.isEmpty() ? null : dnsMetadata(metadata, q.getName());
    int type = q.getType();
    boolean addressQuery = type == Type.A || type == Type.AAAA || type == Type.HTTPS;
    DnsQueryOptions acc = options;
    for (DnsRouteRule rr : rules) {
      DnsRule rule = rr.rule();
      boolean addressLimit = rule.withAddressLimit();
      if ((addressLimit && !addressQuery) || !rule.match(m, type)) {
        continue;
      }
      switch (rr.action()) {
        case DnsAction.Route r -> {
          DnsTransport t = server(r.server());
          if (!allowFakeIp && t instanceof FakeIpTransport) {
            continue;
          }
          LOG.debug("dns {} matched {} -> {}", q.getName(), rr.path(), r.server());
          AddressCheck check =
              addressLimit
                  ? addresses -> rule.matchAddressLimit(m.withDestinationAddresses(addresses), type)
                  : null;
          try {
            return ask(t, query, merge(acc, r.options()), check);
          } catch (ResponseRejectedException e) {
            // sing-box: the answer failed the rule's address fields; go on with the next rule
            LOG.debug(
                "dns {} answer of {} rejected by {}{}",
                q.getName(),
                t.tag(),
                rr.path(),
                e.cached ? " (cached)" : "");
          }
        }
        case DnsAction.RouteOptions r -> acc = merge(acc, r.options());
        case DnsAction.Reject r -> {
          LOG.debug("dns {} rejected by {}", q.getName(), rr.path());
          if (r.drop()) {
            throw new DropException();
          }
          return Messages.reply(query, Rcode.REFUSED);
        }
        case DnsAction.Predefined p -> {
          Message out = Messages.reply(query, p.rcode());
          p.answer().forEach(rec -> out.addRecord(rec, Section.ANSWER));
          p.ns().forEach(rec -> out.addRecord(rec, Section.AUTHORITY));
          p.extra().forEach(rec -> out.addRecord(rec, Section.ADDITIONAL));
          return out;
        }
      }
    }
    return ask(finalServer, query, acc, null);
  }

  /** A rule's response-address check: true accepts the answer with these addresses. */
  @FunctionalInterface
  interface AddressCheck {
    boolean accept(List<InetAddress> addresses);
  }

  /** The answer failed a rule's address fields (or did before, per the rejected-response cache). */
  static final class ResponseRejectedException extends IOException {
    final boolean cached;

    ResponseRejectedException(boolean cached) {
      super("response rejected");
      this.cached = cached;
    }
  }

  private DnsTransport server(String tag) throws IOException {
    DnsTransport t = servers.get(tag);
    if (t == null) {
      throw new IOException("unknown DNS server '" + tag + "'");
    }
    return t;
  }

  /** Later (rule) options override earlier ones field by field. */
  static DnsQueryOptions merge(DnsQueryOptions base, DnsQueryOptions over) {
    return new DnsQueryOptions(
        over.server() != null ? over.server() : base.server(),
        over.strategy() != null ? over.strategy() : base.strategy(),
        over.disableCache() != null ? over.disableCache() : base.disableCache(),
        over.rewriteTtl() != null ? over.rewriteTtl() : base.rewriteTtl(),
        over.clientSubnet() != null ? over.clientSubnet() : base.clientSubnet());
  }

  private static Metadata dnsMetadata(Metadata client, Name name) {
    String n = name.toString(true);
    Destination d = new Destination.Domain(n.isEmpty() ? "." : n, 53);
    Metadata base = client != null ? client : Metadata.internal(Network.UDP, d);
    return base.withDestination(d).withSniffed("dns", null);
  }

  private Message ask(DnsTransport t, Message query, DnsQueryOptions o, AddressCheck check)
      throws IOException {
    Record q = query.getQuestion();
    DomainStrategy strategy = o.strategy() != null ? o.strategy() : settings.strategy();
    if ((q.getType() == Type.A && strategy == DomainStrategy.IPV6_ONLY)
        || (q.getType() == Type.AAAA && strategy == DomainStrategy.IPV4_ONLY)) {
      return Messages.reply(query, Rcode.NOERROR);
    }
    boolean fake = t instanceof FakeIpTransport;
    boolean useCache =
        !fake && !(o.disableCache() != null ? o.disableCache() : settings.disableCache());
    DnsCache.Key key =
        new DnsCache.Key(
            q.getName(), q.getType(), q.getDClass(), settings.independentCache() ? t.tag() : "");
    if (useCache) {
      Message hit = cache.get(key, System.nanoTime());
      if (hit != null) {
        hit.getHeader().setID(query.getHeader().getID());
        return rewrite(hit, o);
      }
    }
    Message upstream = query;
    String subnet = o.clientSubnet() != null ? o.clientSubnet() : settings.clientSubnet();
    if (subnet != null && !fake) {
      upstream = withSubnet(query, subnet);
    }
    RejectedResponseCache rdrc = this.rdrc;
    if (check != null
        && useCache
        && rdrc != null
        && rdrc.isRejected(t.tag(), q.getName(), q.getType())) {
      throw new ResponseRejectedException(true);
    }
    Message r = t.exchange(upstream);
    r.getHeader().setID(query.getHeader().getID());
    int rcode = r.getRcode();
    if (check != null) {
      boolean rejected =
          (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN)
              || !check.accept(Messages.responseAddresses(r));
      if (rejected) {
        if (useCache && rdrc != null && (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN)) {
          rdrc.reject(t.tag(), q.getName(), q.getType());
        }
        throw new ResponseRejectedException(false);
      }
    }
    if (useCache) {
      // a copy: the caller may change the answer it gets (ID, OPT)
      cache.put(key, r.clone(), System.nanoTime());
    }
    if (settings.reverseMapping() && !fake) {
      String domain = HostsTable.normalize(q.getName().toString());
      List<InetAddress> addresses = Messages.answerAddresses(r);
      if (!addresses.isEmpty()) {
        synchronized (reverse) {
          addresses.forEach(a -> reverse.put(a, domain));
        }
      }
    }
    return rewrite(r, o);
  }

  private static Message rewrite(Message m, DnsQueryOptions o) {
    if (o.rewriteTtl() == null) {
      return m;
    }
    long ttl = o.rewriteTtl();
    return Messages.mapTtl(m, x -> ttl);
  }

  /** The query with an EDNS0 client-subnet option, unless the client already sent one. */
  static Message withSubnet(Message query, String subnet) {
    OPTRecord opt = query.getOPT();
    if (opt != null && !opt.getOptions(EDNSOption.Code.CLIENT_SUBNET).isEmpty()) {
      return query;
    }
    Message out = query.clone();
    List<EDNSOption> options = new ArrayList<>();
    int payload = 1232;
    int flags = 0;
    if (opt != null) {
      options.addAll(opt.getOptions());
      payload = opt.getPayloadSize();
      flags = opt.getFlags();
      out.removeRecord(opt, Section.ADDITIONAL);
    }
    options.add(ClientSubnet.parse(subnet));
    out.addRecord(new OPTRecord(payload, 0, 0, flags, options), Section.ADDITIONAL);
    return out;
  }

  // ---- resolving for the rest of Umbra ----

  @Override
  public List<InetAddress> resolve(String domain) throws IOException {
    return lookup(domain, DnsQueryOptions.DEFAULT);
  }

  @Override
  public Resolver resolver(DnsQueryOptions options) {
    DnsQueryOptions o = options == null ? DnsQueryOptions.DEFAULT : options;
    if (o.server() != null && !servers.containsKey(o.server())) {
      throw new ConfigException("server", "unknown DNS server '" + o.server() + "'");
    }
    if (o.clientSubnet() != null) {
      DnsRuleParser.checkSubnet(o.clientSubnet(), "client_subnet");
    }
    return domain -> lookup(domain, o);
  }

  List<InetAddress> lookup(String domain, DnsQueryOptions o) throws IOException {
    InetAddress literal = Destination.IpLiterals.parse(domain);
    if (literal != null) {
      return List.of(literal);
    }
    Name name;
    try {
      name = Name.fromString(domain.endsWith(".") ? domain : domain + ".");
    } catch (TextParseException e) {
      throw new UnknownHostException("invalid domain name " + domain);
    }
    DomainStrategy strategy = o.strategy() != null ? o.strategy() : settings.strategy();
    // A and AAAA are asked at the same time
    List<Thread> threads = new ArrayList<>();
    List<InetAddress> all = java.util.Collections.synchronizedList(new ArrayList<>());
    IOException[] failure = new IOException[1];
    for (int type : new int[] {Type.A, Type.AAAA}) {
      if ((type == Type.A && strategy == DomainStrategy.IPV6_ONLY)
          || (type == Type.AAAA && strategy == DomainStrategy.IPV4_ONLY)) {
        continue;
      }
      Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
      threads.add(
          Thread.ofVirtual()
              .start(() -> {
                try {
                  all.addAll(Messages.answerAddresses(exchange(query, null, o, false)));
                } catch (IOException e) {
                  synchronized (failure) {
                    failure[0] = e;
                  }
                }
              }));
    }
    try {
      for (Thread t : threads) {
        t.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("resolving " + domain);
    }
    List<InetAddress> ordered = AddressOrder.apply(strategy, List.copyOf(all));
    if (ordered.isEmpty()) {
      UnknownHostException e = new UnknownHostException("cannot resolve " + domain);
      synchronized (failure) {
        if (failure[0] != null) {
          e.initCause(failure[0]);
        }
      }
      throw e;
    }
    return ordered;
  }

  // ---- FakeIP and reverse mapping ----

  @Override
  public Optional<String> fakeIpDomain(InetAddress address) {
    for (DnsTransport t : servers.values()) {
      if (t instanceof FakeIpTransport f && f.store().contains(address)) {
        return f.store().lookup(address);
      }
    }
    return Optional.empty();
  }

  @Override
  public boolean isFakeIp(InetAddress address) {
    for (DnsTransport t : servers.values()) {
      if (t instanceof FakeIpTransport f && f.store().contains(address)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Optional<String> reverseDomain(InetAddress address) {
    if (!settings.reverseMapping()) {
      return Optional.empty();
    }
    synchronized (reverse) {
      return Optional.ofNullable(reverse.get(address));
    }
  }

  /** Remembers answers rejected by address rules, so the same server is not asked again soon. */
  public void rejectedResponseCache(RejectedResponseCache cache) {
    this.rdrc = cache;
  }

  int cacheSize() {
    return cache.size();
  }

  /** Remote rule-sets download once every outbound has started, as the route's do. */
  @Override
  public void start(StartStage stage) throws IOException {
    if (stage == StartStage.START && cacheSettings != null) {
      openCacheFile();
    }
    if (stage == StartStage.POST_START) {
      remoteRuleSets.forEach(RemoteRuleSet::start);
    }
  }

  /** Restores FakeIP mappings and turns on the rejected-response cache, as configured. */
  private void openCacheFile() throws IOException {
    CacheSettings c = cacheSettings;
    dev.umbra.dns.cache.CacheFile file = dev.umbra.dns.cache.CacheFile.open(c.path(), c.cacheId());
    cacheFile = file;
    if (c.storeFakeIp()) {
      for (DnsTransport t : servers.values()) {
        if (t instanceof FakeIpTransport f) {
          var store = f.store();
          var entries = file.fakeIpEntries(t.tag(), store.inet4Range(), store.inet6Range());
          entries.forEach(e -> store.restore(e.getValue(), e.getKey()));
          store.listener((domain, address) -> file.saveFakeIp(t.tag(), address, domain));
          LOG.info(
              "dns/{}: {} FakeIP mappings restored from {}", t.tag(), entries.size(), c.path());
        }
      }
    }
    if (c.storeRdrc()) {
      long timeout = c.rdrcTimeout().toMillis();
      rdrc =
          new RejectedResponseCache() {
            @Override
            public boolean isRejected(String server, Name name, int type) {
              return file.isRejected(server, name.toString(), type);
            }

            @Override
            public void reject(String server, Name name, int type) {
              file.reject(server, name.toString(), type, timeout);
            }
          };
    }
  }

  @Override
  public void close() {
    remoteRuleSets.forEach(RemoteRuleSet::close);
    for (DnsTransport t : servers.values()) {
      try {
        t.close();
      } catch (IOException e) {
        LOG.debug("closing dns/{}: {}", t.tag(), e.toString());
      }
    }
    if (cacheFile != null) {
      for (DnsTransport t : servers.values()) {
        if (t instanceof FakeIpTransport f) {
          f.store().listener(null);
        }
      }
      try {
        cacheFile.close();
      } catch (IOException e) {
        LOG.warn("closing the cache file: {}", e.toString());
      }
    }
  }
}
