package dev.umbra.dns.transport;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/**
 * The {@code local} server, as the system resolves: {@code /etc/hosts} first, then the name servers
 * of {@code /etc/resolv.conf} in order (each over UDP with TCP for truncated answers), dialed
 * through the server's dial fields.
 */
public final class LocalTransport implements DnsTransport {
  private static final Logger LOG = LoggerFactory.getLogger(LocalTransport.class);
  private final String tag;
  private final HostsTable hosts;
  private final List<DnsTransport> nameservers;

  public LocalTransport(String tag, HostsTable hosts, List<DnsTransport> nameservers) {
    this.tag = tag;
    this.hosts = hosts;
    this.nameservers = List.copyOf(nameservers);
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String type() {
    return "local";
  }

  @Override
  public Message exchange(Message query) throws IOException {
    Message fromHosts = HostsTransport.answerOrNull(hosts, query);
    if (fromHosts != null) {
      return fromHosts;
    }
    IOException last = null;
    for (DnsTransport ns : nameservers) {
      try {
        return ns.exchange(query);
      } catch (IOException e) {
        LOG.debug("dns/{}: {} failed: {}", tag, ns.tag(), e.toString());
        last = e;
      }
    }
    throw last != null ? last : new IOException("no name server in /etc/resolv.conf");
  }

  @Override
  public void close() throws IOException {
    for (DnsTransport ns : nameservers) {
      ns.close();
    }
  }
}
