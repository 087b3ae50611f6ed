package dev.umbra.dns.transport;

import dev.umbra.dns.message.Messages;
import java.net.InetAddress;
import java.util.List;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The {@code hosts} server: answers A and AAAA from hosts files and {@code predefined}; a listed
 * name with no address of the asked family gets an empty answer, an unlisted name NXDOMAIN.
 */
public final class HostsTransport implements DnsTransport {
  static final long TTL = 600;
  private final String tag;
  private final HostsTable table;

  public HostsTransport(String tag, HostsTable table) {
    this.tag = tag;
    this.table = table;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String type() {
    return "hosts";
  }

  @Override
  public Message exchange(Message query) {
    return answer(table, query);
  }

  /** The table's answer, or null when the name is not listed. */
  static Message answerOrNull(HostsTable table, Message query) {
    var q = query.getQuestion();
    List<InetAddress> addresses = table.lookup(q.getName().toString());
    if (addresses == null) {
      return null;
    }
    if (q.getType() != Type.A && q.getType() != Type.AAAA) {
      return Messages.reply(query, Rcode.NOERROR);
    }
    return Messages.addresses(query, addresses, TTL);
  }

  static Message answer(HostsTable table, Message query) {
    Message m = answerOrNull(table, query);
    return m != null ? m : Messages.reply(query, Rcode.NXDOMAIN);
  }
}
