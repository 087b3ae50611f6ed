package dev.umbra.dns.dhcp;

import java.net.Inet4Address;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * One DHCPv4 message (RFC 2131 §2) as read or to be written: the fixed header fields we use and the
 * options, each option's data already joined across repeated occurrences (RFC 3396) and the
 * overloaded {@code file}/{@code sname} fields (option 52).
 *
 * @param op 1 = BOOTREQUEST, 2 = BOOTREPLY
 * @param xid the transaction ID the client chose
 * @param flags bit 15 = the client wants broadcast replies
 * @param chaddr the client hardware address (htype 1, 6 bytes)
 * @param options option code to data, in the order first seen
 */
public record DhcpMessage(
    int op,
    int xid,
    int flags,
    Inet4Address ciaddr,
    Inet4Address yiaddr,
    byte[] chaddr,
    Map<Integer, byte[]> options) {

  public static final int BOOTREQUEST = 1;
  public static final int BOOTREPLY = 2;
  public static final int FLAG_BROADCAST = 0x8000;

  // message types (option 53, RFC 2132 §9.6)
  public static final int DISCOVER = 1;
  public static final int OFFER = 2;
  public static final int REQUEST = 3;
  public static final int DECLINE = 4;
  public static final int ACK = 5;
  public static final int NAK = 6;
  public static final int RELEASE = 7;
  public static final int INFORM = 8;

  // option codes (RFC 2132, RFC 3397)
  public static final int OPT_PAD = 0;
  public static final int OPT_SUBNET_MASK = 1;
  public static final int OPT_ROUTER = 3;
  public static final int OPT_DNS = 6;
  public static final int OPT_DOMAIN_NAME = 15;
  public static final int OPT_LEASE_TIME = 51;
  public static final int OPT_OVERLOAD = 52;
  public static final int OPT_MESSAGE_TYPE = 53;
  public static final int OPT_SERVER_ID = 54;
  public static final int OPT_PARAMETERS = 55;
  public static final int OPT_MAX_SIZE = 57;
  public static final int OPT_DOMAIN_SEARCH = 119;
  public static final int OPT_END = 255;

  /** 0.0.0.0, what an absent address is on the wire. */
  public static final Inet4Address NO_ADDRESS = DhcpOptions.address(new byte[4], 0);

  public DhcpMessage {
    ciaddr = ciaddr == null ? NO_ADDRESS : ciaddr;
    yiaddr = yiaddr == null ? NO_ADDRESS : yiaddr;
    chaddr = chaddr.clone();
    options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
  }

  @Override
  public byte[] chaddr() {
    return chaddr.clone();
  }

  /** Option 53, or 0 when absent or malformed (a BOOTP reply). */
  public int messageType() {
    byte[] t = options.get(OPT_MESSAGE_TYPE);
    return t != null && t.length == 1 ? t[0] & 0xff : 0;
  }

  public static String typeName(int type) {
    return switch (type) {
      case DISCOVER -> "DISCOVER";
      case OFFER -> "OFFER";
      case REQUEST -> "REQUEST";
      case DECLINE -> "DECLINE";
      case ACK -> "ACK";
      case NAK -> "NAK";
      case RELEASE -> "RELEASE";
      case INFORM -> "INFORM";
      default -> "type " + type;
    };
  }

  /** Option 6: the DNS servers, in the server's order of preference. */
  public List<Inet4Address> dnsServers() throws DhcpFormatException {
    return DhcpOptions.addresses(options.get(OPT_DNS), "domain name servers (6)");
  }

  /** Option 54, or null. */
  public Inet4Address serverId() throws DhcpFormatException {
    byte[] v = options.get(OPT_SERVER_ID);
    if (v == null) {
      return null;
    }
    List<Inet4Address> a = DhcpOptions.addresses(v, "server identifier (54)");
    if (a.size() != 1) {
      throw new DhcpFormatException("server identifier (54) must hold one address");
    }
    return a.getFirst();
  }

  /** Option 15, or null. */
  public String domainName() throws DhcpFormatException {
    return DhcpOptions.domainName(options.get(OPT_DOMAIN_NAME));
  }

  /** Option 119 (RFC 3397: DNS wire names, compression allowed), empty when absent. */
  public List<String> domainSearch() throws DhcpFormatException {
    return DhcpOptions.searchList(options.get(OPT_DOMAIN_SEARCH));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DhcpMessage m
        && op == m.op
        && xid == m.xid
        && flags == m.flags
        && java.util.Objects.equals(ciaddr, m.ciaddr)
        && java.util.Objects.equals(yiaddr, m.yiaddr)
        && Arrays.equals(chaddr, m.chaddr)
        && sameOptions(options, m.options);
  }

  private static boolean sameOptions(Map<Integer, byte[]> a, Map<Integer, byte[]> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (var e : a.entrySet()) {
      if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(op, xid, flags, ciaddr, yiaddr, Arrays.hashCode(chaddr));
  }

  @Override
  public String toString() {
    return "DhcpMessage[op="
        + op
        + ", xid="
        + Integer.toHexString(xid)
        + ", type="
        + typeName(messageType())
        + ", chaddr="
        + HexFormat.ofDelimiter(":").formatHex(chaddr)
        + ", options="
        + options.keySet()
        + "]";
  }
}
