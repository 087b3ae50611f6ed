package dev.umbra.dns.transport;

import dev.umbra.dns.fakeip.FakeIpStore;
import dev.umbra.dns.message.Messages;
import java.net.InetAddress;
import java.util.List;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The {@code fakeip} server: an A (AAAA) query gets an address from inet4_range (inet6_range)
 * standing for the name; the router maps it back before routing. Other types get an empty answer.
 */
public final class FakeIpTransport implements DnsTransport {
  static final long TTL = 600;
  private final String tag;
  private final FakeIpStore store;

  public FakeIpTransport(String tag, FakeIpStore store) {
    this.tag = tag;
    this.store = store;
  }

  public FakeIpStore store() {
    return store;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String type() {
    return "fakeip";
  }

  @Override
  public Message exchange(Message query) {
    var q = query.getQuestion();
    String domain = HostsTable.normalize(q.getName().toString());
    boolean v6 = q.getType() == Type.AAAA;
    if ((q.getType() != Type.A && !v6) || (v6 ? !store.hasInet6() : !store.hasInet4())) {
      return Messages.reply(query, Rcode.NOERROR);
    }
    InetAddress a = store.allocate(domain, v6);
    return Messages.addresses(query, List.of(a), TTL);
  }
}
