package dev.umbra.dns.transport;

import dev.umbra.dns.message.Messages;
import org.xbill.DNS.Message;

/** A legacy {@code rcode://} server: every query gets this response code. */
public final class RcodeTransport implements DnsTransport {
  private final String tag;
  private final int rcode;

  public RcodeTransport(String tag, int rcode) {
    this.tag = tag;
    this.rcode = rcode;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String type() {
    return "rcode";
  }

  @Override
  public Message exchange(Message query) {
    return Messages.reply(query, rcode);
  }
}
