package dev.umbra.dns.config;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.dial.DefaultDialer;
import dev.umbra.core.dial.SystemResolver;
import dev.umbra.core.net.Destination;
import dev.umbra.core.registry.DnsServiceFactory;
import dev.umbra.dns.dhcp.DhcpServers;
import dev.umbra.dns.fakeip.FakeIpStore;
import dev.umbra.dns.transport.DnsTransport;
import dev.umbra.dns.transport.FakeIpTransport;
import dev.umbra.dns.transport.HostsTable;
import dev.umbra.dns.transport.HostsTransport;
import dev.umbra.dns.transport.Http3Transport;
import dev.umbra.dns.transport.HttpsTransport;
import dev.umbra.dns.transport.LocalTransport;
import dev.umbra.dns.transport.QuicEndpoint;
import dev.umbra.dns.transport.QuicTransport;
import dev.umbra.dns.transport.RcodeTransport;
import dev.umbra.dns.transport.StreamTransport;
import dev.umbra.dns.transport.UdpTransport;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Rcode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Builds one {@code dns.servers[]} element into a transport, checking it with JSON paths. */
public final class ServerFactory {
  private static final Logger LOG = LoggerFactory.getLogger(ServerFactory.class);
  private static final Set<String> POLYMORPHIC = Set.of("type", "tag");
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** sing-box server types this build does not implement, with why. */
  static final Map<String, String> NOT_YET =
      Map.of(
          "resolved", "the 'resolved' DNS server needs the resolved service, not supported yet",
          "tailscale",
              "the 'tailscale' DNS server needs the tailscale endpoint, not supported yet");

  private final DnsServiceFactory.Context ctx;
  private final Function<DnsQueryOptions, Resolver> routerResolver;
  private final Path resolvConf;
  private final Path etcHosts;

  /**
   * @param routerResolver resolves through the DNS router, for servers named by domain with a
   *     {@code domain_resolver} (looked up at dial time)
   */
  public ServerFactory(
      DnsServiceFactory.Context ctx,
      Function<DnsQueryOptions, Resolver> routerResolver,
      Path resolvConf,
      Path etcHosts) {
    this.ctx = ctx;
    this.routerResolver = routerResolver;
    this.resolvConf = resolvConf;
    this.etcHosts = etcHosts;
  }

  /** The tag of a server element (checked string), or its index when missing. */
  public static String tagOf(JsonNode node, String path, int index) {
    JsonNode t = node.get("tag");
    if (t == null || t.isNull()) {
      return Integer.toString(index);
    }
    if (!t.isString()) {
      throw new ConfigException(JsonPaths.field(path, "tag"), "expected a string");
    }
    return t.stringValue().isEmpty() ? Integer.toString(index) : t.stringValue();
  }

  public DnsTransport create(JsonNode node, String path, String tag) {
    if (!node.isObject()) {
      throw new ConfigException(path, "expected an object, got " + Binder.describe(node));
    }
    JsonNode typeNode = node.get("type");
    String type = typeNode == null || typeNode.isNull() ? "" : typeNode.asString();
    if (typeNode != null && !typeNode.isNull() && !typeNode.isString()) {
      throw new ConfigException(JsonPaths.field(path, "type"), "expected a string");
    }
    String typePath = JsonPaths.field(path, "type");
    if (NOT_YET.containsKey(type)) {
      throw new ConfigException(typePath, NOT_YET.get(type));
    }
    return switch (type) {
      case "" ->
          legacy(Binder.bind(node, ServerOptions.Legacy.class, path, POLYMORPHIC), path, tag);
      case "udp" -> udp(tag, bind(node, ServerOptions.Plain.class, path), path);
      case "tcp" -> tcp(tag, bind(node, ServerOptions.Plain.class, path), path);
      case "tls" -> tls(tag, bind(node, ServerOptions.Tls.class, path), path);
      case "https" -> https(tag, bind(node, ServerOptions.Https.class, path), path);
      case "quic" -> quic(tag, bind(node, ServerOptions.Quic.class, path), path);
      case "h3" -> h3(tag, bind(node, ServerOptions.Https.class, path), path);
      case "hosts" -> hosts(tag, bind(node, ServerOptions.Hosts.class, path), path);
      case "fakeip" -> fakeip(tag, bind(node, ServerOptions.FakeIp.class, path), path);
      case "local" -> local(tag, bind(node, ServerOptions.Local.class, path), path);
      case "dhcp" ->
          dhcp(
              tag,
              bind(node, ServerOptions.Dhcp.class, path),
              path,
              JsonPaths.field(path, "interface"));
      default ->
          throw new ConfigException(
              typePath,
              "unknown DNS server type '"
                  + type
                  + "' (expected udp, tcp, tls, https, quic, h3, hosts, fakeip, local, dhcp)");
    };
  }

  private static <T extends Record> T bind(JsonNode node, Class<T> type, String path) {
    return Binder.bind(node, type, path, POLYMORPHIC);
  }

  private DefaultDialer dialer(DialOptions dial, String path) {
    DialOptions d = dial == null ? DialOptions.DEFAULT : dial;
    if (d.detour() != null && !ctx.outboundTags().contains(d.detour())) {
      throw new ConfigException(
          JsonPaths.field(path, "detour"), "unknown outbound '" + d.detour() + "'");
    }
    return new DefaultDialer(d, ctx.outbounds(), resolver(d, path));
  }

  /** The server name's resolver: {@code domain_resolver} through the DNS router, else the OS. */
  private Resolver resolver(DialOptions d, String path) {
    if (d.domainResolver() == null) {
      return SystemResolver.INSTANCE;
    }
    JsonNode r = d.domainResolver();
    DnsQueryOptions q =
        r.isString()
            ? new DnsQueryOptions(r.stringValue(), null, null, null, null)
            : Binder.bind(r, DnsQueryOptions.class, JsonPaths.field(path, "domain_resolver"));
    return domain -> routerResolver.apply(q).resolve(domain);
  }

  private static Destination server(String server, Integer port, int defaultPort, String path) {
    if (server == null || server.isBlank()) {
      throw new ConfigException(JsonPaths.field(path, "server"), "missing server address");
    }
    int p = port == null ? defaultPort : port;
    if (p < 1 || p > 65535) {
      throw new ConfigException(JsonPaths.field(path, "server_port"), "expected a port 1-65535");
    }
    try {
      return Destination.of(server, p);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(JsonPaths.field(path, "server"), e.getMessage());
    }
  }

  DnsTransport udp(String tag, ServerOptions.Plain o, String path) {
    Destination d = server(o.server(), o.serverPort(), 53, path);
    DefaultDialer dialer = dialer(o.dial(), path);
    StreamTransport tcp =
        new StreamTransport(tag, "tcp", d.toString(), () -> dialer.dial(d), TIMEOUT);
    return new UdpTransport(tag, "udp", d, dialer, TIMEOUT, tcp);
  }

  DnsTransport tcp(String tag, ServerOptions.Plain o, String path) {
    Destination d = server(o.server(), o.serverPort(), 53, path);
    DefaultDialer dialer = dialer(o.dial(), path);
    return new StreamTransport(tag, "tcp", d.toString(), () -> dialer.dial(d), TIMEOUT);
  }

  /** A DoH or DoH3 server's {@code method}: GET or POST (the default). */
  static String method(ServerOptions.Https o, String path) {
    String method = o.method() == null ? "POST" : o.method().toUpperCase(Locale.ROOT);
    if (!method.equals("GET") && !method.equals("POST")) {
      throw new ConfigException(
          JsonPaths.field(path, "method"), "expected GET or POST, got '" + o.method() + "'");
    }
    return method;
  }

  /** A DoH or DoH3 server's request {@code path}, /dns-query by default. */
  static String requestPath(ServerOptions.Https o, String path) {
    String p = o.path() == null || o.path().isEmpty() ? "/dns-query" : o.path();
    if (!p.startsWith("/")) {
      throw new ConfigException(JsonPaths.field(path, "path"), "must start with /");
    }
    return p;
  }

  /**
   * A copy of a server's {@code tls} block (empty if absent) for a type that always uses TLS:
   * {@code enabled: false} is an error at {@code tlsPath}.
   */
  static ObjectNode alwaysTls(JsonNode tls, String tlsPath) {
    ObjectNode n;
    if (tls == null || tls.isNull()) {
      n = (ObjectNode) Jsonc.parse("{}", tlsPath);
    } else if (tls.isObject()) {
      n = (ObjectNode) tls.deepCopy();
    } else {
      throw new ConfigException(tlsPath, "expected an object");
    }
    if (n.has("enabled") && n.get("enabled").isBoolean() && !n.get("enabled").booleanValue()) {
      throw new ConfigException(
          JsonPaths.field(tlsPath, "enabled"), "this DNS server type always uses TLS");
    }
    return n;
  }

  private static TlsClient tlsClient(JsonNode tls, String path, List<String> defaultAlpn) {
    String tlsPath = JsonPaths.field(path, "tls");
    ObjectNode n = alwaysTls(tls, tlsPath);
    n.put("enabled", true);
    if (!n.has("alpn") && defaultAlpn != null) {
      var arr = n.putArray("alpn");
      defaultAlpn.forEach(arr::add);
    }
    TlsOptions o = Binder.bind(n, TlsOptions.class, tlsPath);
    return TlsClient.create(o, tlsPath);
  }

  DnsTransport tls(String tag, ServerOptions.Tls o, String path) {
    Destination d = server(o.server(), o.serverPort(), 853, path);
    DefaultDialer dialer = dialer(o.dial(), path);
    TlsClient client = tlsClient(o.tls(), path, null);
    return new StreamTransport(
        tag, "tls", d.toString(), () -> client.wrap(dialer.dial(d), d.host()), TIMEOUT);
  }

  DnsTransport https(String tag, ServerOptions.Https o, String path) {
    Destination d = server(o.server(), o.serverPort(), 443, path);
    DefaultDialer dialer = dialer(o.dial(), path);
    if (o.tls() != null && o.tls().has("alpn")) {
      JsonNode alpn = o.tls().get("alpn");
      boolean known = alpn.isString() && isHttp(alpn.stringValue());
      if (alpn.isArray()) {
        for (JsonNode a : alpn) {
          known |= isHttp(a.asString());
        }
      }
      if (!known) {
        throw new ConfigException(
            JsonPaths.field(JsonPaths.field(path, "tls"), "alpn"),
            "Umbra's DoH client speaks h2 and http/1.1: alpn must include one of them");
      }
    }
    TlsClient client = tlsClient(o.tls(), path, List.of("h2", "http/1.1"));
    String method = method(o, path);
    String p = requestPath(o, path);
    String host = d instanceof Destination.Ip ip && ip.isIpv6() ? "[" + d.host() + "]" : d.host();
    if (d.port() != 443) {
      host = host + ":" + d.port();
    }
    return new HttpsTransport(
        tag,
        host,
        p,
        method.equals("GET"),
        o.headers(),
        () -> client.wrap(dialer.dial(d), d.host()),
        TIMEOUT);
  }

  DnsTransport quic(String tag, ServerOptions.Quic o, String path) {
    Destination d = server(o.server(), o.serverPort(), 853, path);
    return new QuicTransport(
        tag, QuicServers.endpoint(d, o.tls(), o.dial(), path, "doq", this::quicDial), TIMEOUT);
  }

  DnsTransport h3(String tag, ServerOptions.Https o, String path) {
    Destination d = server(o.server(), o.serverPort(), 443, path);
    QuicEndpoint endpoint = QuicServers.endpoint(d, o.tls(), o.dial(), path, "h3", this::quicDial);
    QuicServers.Request r = QuicServers.request(o, d, endpoint.tlsName(), path);
    return new Http3Transport(
        tag, endpoint, r.authority(), r.path(), r.get(), r.headers(), TIMEOUT);
  }

  /** The dialer and resolver of a QUIC-based server's dial fields. */
  private QuicServers.Dial quicDial(DialOptions dial, String path) {
    DialOptions d = dial == null ? DialOptions.DEFAULT : dial;
    return new QuicServers.Dial(dialer(d, path), resolver(d, path), d);
  }

  private static boolean isHttp(String alpn) {
    return "h2".equals(alpn) || "http/1.1".equals(alpn);
  }

  DnsTransport hosts(String tag, ServerOptions.Hosts o, String path) {
    HostsTable table = new HostsTable();
    List<String> paths = o.path() == null ? List.of("/etc/hosts") : o.path();
    for (int i = 0; i < paths.size(); i++) {
      Path file = ctx.workingDirectory().resolve(paths.get(i));
      try {
        table.load(file);
      } catch (IOException e) {
        throw new ConfigException(
            JsonPaths.index(JsonPaths.field(path, "path"), i),
            "cannot read hosts file " + file + ": " + e.getMessage());
      }
    }
    if (o.predefined() != null) {
      for (var e : o.predefined().entrySet()) {
        List<String> list = e.getValue() == null ? List.of() : e.getValue();
        for (int i = 0; i < list.size(); i++) {
          InetAddress a = Destination.IpLiterals.parse(list.get(i));
          if (a == null) {
            throw new ConfigException(
                JsonPaths.index(
                    JsonPaths.field(JsonPaths.field(path, "predefined"), e.getKey()), i),
                "expected an IP address, got '" + list.get(i) + "'");
          }
          table.add(e.getKey(), a);
        }
      }
    }
    return new HostsTransport(tag, table);
  }

  DnsTransport fakeip(String tag, ServerOptions.FakeIp o, String path) {
    if (o.inet4Range() == null && o.inet6Range() == null) {
      throw new ConfigException(path, "a fakeip server needs inet4_range or inet6_range");
    }
    try {
      new FakeIpStore(o.inet4Range(), null);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(JsonPaths.field(path, "inet4_range"), e.getMessage());
    }
    try {
      new FakeIpStore(null, o.inet6Range());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(JsonPaths.field(path, "inet6_range"), e.getMessage());
    }
    return new FakeIpTransport(tag, new FakeIpStore(o.inet4Range(), o.inet6Range()));
  }

  DnsTransport local(String tag, ServerOptions.Local o, String path) {
    DefaultDialer dialer = dialer(o.dial(), path);
    HostsTable hosts = new HostsTable();
    try {
      if (Files.isReadable(etcHosts)) {
        hosts.load(etcHosts);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<DnsTransport> ns = new ArrayList<>();
    Duration timeout = resolvTimeout(resolvConf);
    for (InetAddress a : nameservers(resolvConf)) {
      Destination d = new Destination.Ip(a, 53);
      StreamTransport tcp =
          new StreamTransport(tag, "tcp", d.toString(), () -> dialer.dial(d), timeout);
      ns.add(new UdpTransport(tag + "/" + a.getHostAddress(), "udp", d, dialer, timeout, tcp));
    }
    return new LocalTransport(tag, hosts, ns);
  }

  DnsTransport dhcp(String tag, ServerOptions.Dhcp o, String path, String interfacePath) {
    DefaultDialer dialer = dialer(o.dial(), path);
    return DhcpServers.create(
        tag,
        o.interfaceName(),
        interfacePath,
        a -> {
          Destination d = new Destination.Ip(a, 53);
          StreamTransport tcp =
              new StreamTransport(tag, "tcp", d.toString(), () -> dialer.dial(d), TIMEOUT);
          return new UdpTransport(tag + "/" + a.getHostAddress(), "udp", d, dialer, TIMEOUT, tcp);
        },
        () -> nameservers(resolvConf),
        resolvConf.toString());
  }

  /** resolv.conf's {@code options timeout:N} (seconds, capped at 30 as glibc does), else 5 s. */
  static Duration resolvTimeout(Path resolvConf) {
    Duration out = TIMEOUT;
    try {
      if (Files.isReadable(resolvConf)) {
        for (String line : Files.readAllLines(resolvConf)) {
          String[] f = line.trim().split("\\s+");
          if (f.length >= 2 && f[0].equals("options")) {
            for (int i = 1; i < f.length; i++) {
              if (f[i].startsWith("timeout:")) {
                try {
                  int n = Integer.parseInt(f[i].substring("timeout:".length()));
                  out = Duration.ofSeconds(Math.clamp(n, 1, 30));
                } catch (NumberFormatException ignored) {
                  // glibc ignores a malformed option too
                }
              }
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", resolvConf, e.toString());
    }
    return out;
  }

  /** The nameserver lines of resolv.conf; 127.0.0.1 when there are none (glibc's default). */
  static List<InetAddress> nameservers(Path resolvConf) {
    List<InetAddress> out = new ArrayList<>();
    try {
      if (Files.isReadable(resolvConf)) {
        for (String line : Files.readAllLines(resolvConf)) {
          String[] f = line.trim().split("\\s+");
          if (f.length >= 2 && f[0].equals("nameserver")) {
            InetAddress a = Destination.IpLiterals.parse(f[1].replaceAll("%.*$", ""));
            if (a != null) {
              out.add(a);
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", resolvConf, e.toString());
    }
    if (out.isEmpty()) {
      out.add(InetAddress.getLoopbackAddress());
    }
    return out;
  }

  /** sing-box's legacy {@code address} URLs, mapped onto the typed servers. */
  DnsTransport legacy(ServerOptions.Legacy o, String path, String tag) {
    String addressPath = JsonPaths.field(path, "address");
    if (o.address() == null || o.address().isBlank()) {
      throw new ConfigException(path, "missing DNS server type (or legacy address)");
    }
    LOG.warn(
        "{}: legacy DNS server address '{}' is deprecated (sing-box 1.12); use a typed server",
        path,
        o.address());
    String a = o.address().trim();
    if (a.equals("local")) {
      return local(tag, new ServerOptions.Local(null, legacyDial(o)), path);
    }
    if (a.equals("fakeip")) {
      throw new ConfigException(
          addressPath,
          "legacy 'fakeip' servers need the removed dns.fakeip block; use type fakeip");
    }
    if (a.startsWith("dhcp://")) {
      // sing-box: dhcp://auto is the default interface, dhcp://eth0 names one
      String name = a.substring("dhcp://".length());
      return dhcp(
          tag,
          new ServerOptions.Dhcp(name.equals("auto") ? null : name, null, legacyDial(o)),
          path,
          addressPath);
    }
    if (!a.contains("://")) {
      a = "udp://" + a;
    }
    URI uri;
    try {
      uri = new URI(a);
    } catch (URISyntaxException e) {
      throw new ConfigException(addressPath, "invalid address URL: " + e.getMessage());
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("rcode")) {
      String name = uri.getHost() == null ? uri.getSchemeSpecificPart() : uri.getHost();
      int rcode =
          switch (name.toLowerCase(Locale.ROOT)) {
            case "success" -> Rcode.NOERROR;
            case "format_error" -> Rcode.FORMERR;
            case "server_failure" -> Rcode.SERVFAIL;
            case "name_error" -> Rcode.NXDOMAIN;
            case "not_implemented" -> Rcode.NOTIMP;
            case "refused" -> Rcode.REFUSED;
            default -> throw new ConfigException(addressPath, "unknown rcode '" + name + "'");
          };
      return new RcodeTransport(tag, rcode);
    }
    String host = uri.getHost();
    if (host == null) {
      throw new ConfigException(addressPath, "missing host in '" + o.address() + "'");
    }
    Integer port = uri.getPort() < 0 ? null : uri.getPort();
    DialOptions dial = legacyDial(o);
    String urlPath =
        uri.getRawPath() == null || uri.getRawPath().isEmpty() ? null : uri.getRawPath();
    ServerOptions.Https https =
        new ServerOptions.Https(host, port, urlPath, null, null, null, dial);
    return switch (scheme) {
      case "udp" -> udp(tag, new ServerOptions.Plain(host, port, dial), path);
      case "tcp" -> tcp(tag, new ServerOptions.Plain(host, port, dial), path);
      case "tls" -> tls(tag, new ServerOptions.Tls(host, port, null, dial), path);
      case "https" -> https(tag, https, path);
      case "quic" -> quic(tag, new ServerOptions.Quic(host, port, null, dial), path);
      case "h3" -> h3(tag, https, path);
      default ->
          throw new ConfigException(addressPath, "unknown DNS address scheme '" + scheme + "'");
    };
  }

  private static DialOptions legacyDial(ServerOptions.Legacy o) {
    tools.jackson.databind.JsonNode resolver =
        o.addressResolver() == null
            ? null
            : Jsonc.MAPPER.getNodeFactory().stringNode(o.addressResolver());
    return new DialOptions(
        o.detour(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        resolver,
        null,
        null,
        null,
        null,
        o.addressStrategy());
  }
}
