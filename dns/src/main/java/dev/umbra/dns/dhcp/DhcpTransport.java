package dev.umbra.dns.dhcp;

import dev.umbra.dns.transport.DnsTransport;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/**
 * The {@code dhcp} DNS server: asks the DHCP server on an interface for DNS servers (see {@link
 * DhcpClient}), then sends queries to them over UDP (TCP for truncated answers), in order.
 *
 * <p>The first query asks DHCP and waits for it. From then on a virtual thread polls the interface
 * every {@code pollInterval}; when its index, state, hardware address or IPv4 addresses change (or,
 * with no interface named, the default route moves to another interface) it asks again at once, and
 * it asks again when the answer is an hour old (sing-box's DHCP TTL), queries meanwhile going to
 * the servers already known. When no DHCP server answers, or the interface is missing, down or has
 * no IPv4 address, the name servers of resolv.conf are used, with a log line, and DHCP is tried
 * again a minute later and on every change.
 */
public final class DhcpTransport implements DnsTransport {
  private static final Logger LOG = LoggerFactory.getLogger(DhcpTransport.class);

  /**
   * sing-box's {@code C.DHCPTTL}: how long servers learned by DHCP are used before asking again.
   */
  public static final Duration TTL = Duration.ofHours(1);

  /** How soon DHCP is tried again after no server answered. */
  public static final Duration RETRY = Duration.ofMinutes(1);

  /** How often the interface is looked at by default. */
  public static final Duration POLL = Duration.ofSeconds(5);

  /** The interface as it is now; null when it does not exist. */
  @FunctionalInterface
  public interface InterfaceLookup {
    InterfaceState get() throws IOException;
  }

  /** Builds the transport for one learned DNS server. */
  @FunctionalInterface
  public interface Upstreams {
    DnsTransport create(InetAddress server);
  }

  private record Learned(
      InterfaceState iface,
      List<InetAddress> servers,
      List<DnsTransport> transports,
      List<String> search,
      boolean fromDhcp,
      long refreshAt) {}

  private final String tag;
  private final String interfaceLabel;
  private final InterfaceLookup lookup;
  private final DhcpClient client;
  private final Function<Inet4Address, DhcpClient.Endpoint> endpoints;
  private final Upstreams upstreams;
  private final Supplier<List<InetAddress>> fallback;
  private final String fallbackName;
  private final Duration pollInterval;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean watching = new AtomicBoolean();
  private final byte[] randomMac;
  private volatile Learned learned;
  private volatile boolean closed;
  private volatile Thread watcher;

  /**
   * @param interfaceLabel the interface for log lines ({@code eth0}, or {@code default interface})
   * @param endpoints where to send and listen for an interface address
   * @param fallback the resolv.conf name servers, read when needed
   * @param fallbackName what {@code fallback} reads, for log lines
   */
  public DhcpTransport(
      String tag,
      String interfaceLabel,
      InterfaceLookup lookup,
      DhcpClient client,
      Function<Inet4Address, DhcpClient.Endpoint> endpoints,
      Upstreams upstreams,
      Supplier<List<InetAddress>> fallback,
      String fallbackName,
      Duration pollInterval) {
    this.tag = tag;
    this.interfaceLabel = interfaceLabel;
    this.lookup = lookup;
    this.client = client;
    this.endpoints = endpoints;
    this.upstreams = upstreams;
    this.fallback = fallback;
    this.fallbackName = fallbackName;
    this.pollInterval = pollInterval;
    // for an interface without a 6-byte hardware address: a locally administered unicast one
    randomMac = new byte[6];
    new SecureRandom().nextBytes(randomMac);
    randomMac[0] = (byte) ((randomMac[0] & 0xfc) | 0x02);
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String type() {
    return "dhcp";
  }

  /** The DNS servers in use now (empty before the first query). */
  public List<InetAddress> servers() {
    Learned l = learned;
    return l == null ? List.of() : l.servers();
  }

  /** The search domains the DHCP server sent (option 119, else 15); empty when none. */
  public List<String> searchDomains() {
    Learned l = learned;
    return l == null ? List.of() : l.search();
  }

  /** True when the servers in use came from DHCP, false for the resolv.conf fallback. */
  public boolean fromDhcp() {
    Learned l = learned;
    return l != null && l.fromDhcp();
  }

  @Override
  public Message exchange(Message query) throws IOException {
    if (closed) {
      throw new IOException("dns/" + tag + " is closed");
    }
    Learned l = learned;
    if (l == null) {
      lock.lock();
      try {
        l = learned;
        if (l == null) {
          l = refresh(lookup.get(), "first query");
        }
      } finally {
        lock.unlock();
      }
      startWatching();
    }
    return search(l, query);
  }

  /**
   * sing-box's (and the system resolver's) default: names with fewer dots go through the search
   * list first.
   */
  static final int NDOTS = 1;

  /**
   * The names a query is tried under, in order, as sing-box's DHCP server lists them (the system
   * resolver's rule with ndots 1): a name with at least {@link #NDOTS} dots is asked as it is
   * first, then under each search domain; a name with fewer (a single label) under each search
   * domain first, then as it is. The asked name itself is in the list as {@code name}; names longer
   * than a name may be are left out, and so is every {@code .onion} name (RFC 7686: never sent to
   * DNS).
   */
  static List<Name> candidates(Name name, List<String> search) {
    List<Name> out = new ArrayList<>();
    if (isOnion(name)) {
      return out;
    }
    boolean enoughDots = name.labels() - 2 >= NDOTS; // labels() counts the root
    if (enoughDots) {
      out.add(name);
    }
    for (String domain : search) {
      try {
        Name expanded =
            Name.concatenate(name.relativize(Name.root), Name.fromString(domain, Name.root));
        if (!isOnion(expanded)) {
          out.add(expanded);
        }
      } catch (TextParseException | NameTooLongException e) {
        LOG.debug("search domain {} does not fit {}: {}", domain, name, e.toString());
      }
    }
    if (!enoughDots) {
      out.add(name);
    }
    return out;
  }

  private static boolean isOnion(Name n) {
    return n.labels() >= 2 && n.getLabelString(n.labels() - 2).equalsIgnoreCase("onion");
  }

  /**
   * Asks the names of {@link #candidates} in turn; the first answer with records wins. An answer
   * under a search domain comes back under the asked name, as a CNAME to the expanded name followed
   * by its records. When no name gets records, the answer to the name as asked is returned (its
   * NXDOMAIN or empty NOERROR), as the system resolver does.
   */
  private Message search(Learned l, Message query) throws IOException {
    Record q = query.getQuestion();
    if (q == null || l.search().isEmpty()) {
      return ask(l, query);
    }
    List<Name> names = candidates(q.getName(), l.search());
    if (names.isEmpty()) {
      throw new IOException("dns/" + tag + ": " + q.getName() + " is not sent to DNS (.onion)");
    }
    Message asIs = null;
    IOException failure = null;
    for (Name n : names) {
      boolean expanded = !n.equals(q.getName());
      Message sub = query;
      if (expanded) {
        sub = query.clone();
        sub.removeAllRecords(Section.QUESTION);
        sub.addRecord(Record.newRecord(n, q.getType(), q.getDClass()), Section.QUESTION);
      }
      Message r;
      try {
        r = ask(l, sub);
      } catch (IOException e) {
        LOG.debug("dns/{}: {} failed: {}", tag, n, e.toString());
        failure = e;
        continue;
      }
      List<Record> answers = r.getSection(Section.ANSWER);
      boolean found = r.getRcode() == Rcode.NOERROR && !answers.isEmpty();
      if (!expanded) {
        if (found) {
          return r;
        }
        asIs = r;
        continue;
      }
      if (!found) {
        continue;
      }
      Message out = r.clone();
      out.getHeader().setID(query.getHeader().getID());
      out.removeAllRecords(Section.QUESTION);
      out.addRecord(q, Section.QUESTION);
      out.removeAllRecords(Section.ANSWER);
      long ttl = answers.stream().mapToLong(Record::getTTL).min().orElse(0);
      out.addRecord(new CNAMERecord(q.getName(), q.getDClass(), ttl, n), Section.ANSWER);
      answers.forEach(a -> out.addRecord(a, Section.ANSWER));
      return out;
    }
    if (asIs != null) {
      return asIs;
    }
    throw failure != null
        ? failure
        : new IOException("dns/" + tag + ": no answer for " + q.getName());
  }

  private Message ask(Learned l, Message query) throws IOException {
    IOException last = null;
    for (DnsTransport t : l.transports()) {
      try {
        return t.exchange(query);
      } catch (IOException e) {
        LOG.debug("dns/{}: {} failed: {}", tag, t.tag(), e.toString());
        last = e;
      }
    }
    throw last != null ? last : new IOException("dns/" + tag + ": no DNS server known");
  }

  /** Asks DHCP (under the lock) and installs what it learned, or the fallback. */
  private Learned refresh(InterfaceState state, String why) {
    Learned previous = learned;
    String problem;
    if (state == null) {
      problem = "no interface " + interfaceLabel;
    } else if (!state.up()) {
      problem = "interface " + state.name() + " is down";
    } else if (state.ipv4().isEmpty()) {
      problem =
          "interface "
              + state.name()
              + " has no IPv4 address (without one the request cannot be sent on it)";
    } else {
      Inet4Address address = state.ipv4().getFirst();
      byte[] mac = state.macBytes() != null ? state.macBytes() : randomMac.clone();
      LOG.info("dns/{}: asking DHCP on {} from {} ({})", tag, state.name(), address, why);
      try {
        DhcpAnswer a = client.query(endpoints.apply(address), address, mac);
        List<InetAddress> servers = new ArrayList<>(a.dnsServers());
        if (previous == null || !previous.fromDhcp() || !previous.servers().equals(servers)) {
          LOG.info(
              "dns/{}: DNS servers from DHCP {} of {} on {}: {}, search domains {}",
              tag,
              a.via(),
              a.server() == null ? "a server" : a.server().getHostAddress(),
              state.name(),
              names(servers),
              a.search());
        }
        return install(
            new Learned(
                state,
                List.copyOf(servers),
                transports(servers),
                a.search(),
                true,
                System.nanoTime() + TTL.toNanos()));
      } catch (IOException e) {
        problem = "no DHCP answer on " + state.name() + ": " + e.getMessage();
      }
    }
    List<InetAddress> servers = fallback.get();
    LOG.warn(
        "dns/{}: {}; using the name servers of {} until DHCP answers: {}",
        tag,
        problem,
        fallbackName,
        names(servers));
    return install(
        new Learned(
            state,
            List.copyOf(servers),
            transports(servers),
            List.of(),
            false,
            System.nanoTime() + RETRY.toNanos()));
  }

  private List<DnsTransport> transports(List<InetAddress> servers) {
    List<DnsTransport> out = new ArrayList<>();
    for (InetAddress a : servers) {
      out.add(upstreams.create(a));
    }
    return List.copyOf(out);
  }

  private Learned install(Learned next) {
    Learned old = learned;
    learned = next;
    if (old != null) {
      closeAll(old.transports());
    }
    return next;
  }

  private void closeAll(List<DnsTransport> transports) {
    for (DnsTransport t : transports) {
      try {
        t.close();
      } catch (IOException e) {
        LOG.debug("dns/{}: closing {}: {}", tag, t.tag(), e.toString());
      }
    }
  }

  private static String names(List<InetAddress> servers) {
    return servers.stream()
        .map(InetAddress::getHostAddress)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private void startWatching() {
    if (closed || !watching.compareAndSet(false, true)) {
      return;
    }
    watcher = Thread.ofVirtual().name("dhcp-" + tag + "-watch").start(this::watch);
  }

  /** Polls the interface; asks DHCP again on a change or when the answer is due for renewal. */
  private void watch() {
    while (!closed) {
      try {
        Thread.sleep(pollInterval);
      } catch (InterruptedException e) {
        return;
      }
      try {
        InterfaceState now = lookup.get();
        Learned l = learned;
        String why = null;
        if (l == null || !java.util.Objects.equals(now, l.iface())) {
          why =
              "interface changed: "
                  + describe(l == null ? null : l.iface())
                  + " -> "
                  + describe(now);
        } else if (System.nanoTime() - l.refreshAt() >= 0) {
          why = l.fromDhcp() ? "renewal after " + TTL : "retry";
        }
        if (why != null && !closed) {
          lock.lock();
          try {
            refresh(now, why);
          } finally {
            lock.unlock();
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("dns/{}: watching {}: {}", tag, interfaceLabel, e.toString());
      }
    }
  }

  private static String describe(InterfaceState s) {
    if (s == null) {
      return "absent";
    }
    return s.name()
        + (s.up() ? " up " : " down ")
        + s.ipv4().stream().map(InetAddress::getHostAddress).toList();
  }

  @Override
  public void close() {
    closed = true;
    Thread w = watcher;
    if (w != null) {
      w.interrupt();
    }
    Learned l = learned;
    if (l != null) {
      closeAll(l.transports());
    }
  }
}
