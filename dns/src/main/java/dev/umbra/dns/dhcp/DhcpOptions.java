package dev.umbra.dns.dhcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Readers for the option values we use, each refusing malformed data with a reason. */
final class DhcpOptions {
  /** At most this many search domains are kept from option 119. */
  static final int MAX_SEARCH_DOMAINS = 32;

  private static final int MAX_NAME = 255;

  private DhcpOptions() {}

  static List<Inet4Address> addresses(byte[] v, String what) throws DhcpFormatException {
    if (v == null) {
      return List.of();
    }
    if (v.length == 0 || v.length % 4 != 0) {
      throw new DhcpFormatException(what + ": length " + v.length + " is not a multiple of 4");
    }
    List<Inet4Address> out = new ArrayList<>(v.length / 4);
    for (int i = 0; i < v.length; i += 4) {
      out.add(address(v, i));
    }
    return List.copyOf(out);
  }

  static Inet4Address address(byte[] b, int off) {
    try {
      return (Inet4Address)
          InetAddress.getByAddress(new byte[] {b[off], b[off + 1], b[off + 2], b[off + 3]});
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are always an IPv4 address", e);
    }
  }

  /** Option 15: a plain ASCII name, trailing NULs (some servers send them) ignored. */
  static String domainName(byte[] v) throws DhcpFormatException {
    if (v == null) {
      return null;
    }
    int len = v.length;
    while (len > 0 && v[len - 1] == 0) {
      len--;
    }
    if (len == 0 || len > MAX_NAME) {
      throw new DhcpFormatException("domain name (15): bad length " + v.length);
    }
    for (int i = 0; i < len; i++) {
      int c = v[i] & 0xff;
      if (c <= 0x20 || c >= 0x7f) {
        throw new DhcpFormatException("domain name (15): byte 0x" + Integer.toHexString(c));
      }
    }
    String s = new String(v, 0, len, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * Option 119 (RFC 3397): names in DNS wire form, one after another; compression pointers refer to
   * offsets in the option's (joined) data and must point backwards, which rules out loops.
   */
  static List<String> searchList(byte[] v) throws DhcpFormatException {
    if (v == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    int pos = 0;
    while (pos < v.length) {
      if (out.size() == MAX_SEARCH_DOMAINS) {
        throw new DhcpFormatException("domain search (119): more than " + MAX_SEARCH_DOMAINS);
      }
      StringBuilder name = new StringBuilder();
      int next = -1; // where the next name starts, once a pointer was followed
      int p = pos;
      int limit = v.length; // a pointer must land before the label that holds it
      while (true) {
        if (p >= v.length) {
          throw new DhcpFormatException("domain search (119): name runs past the end");
        }
        int len = v[p] & 0xff;
        if (len == 0) {
          if (next < 0) {
            next = p + 1;
          }
          break;
        }
        if ((len & 0xc0) == 0xc0) {
          if (p + 1 >= v.length) {
            throw new DhcpFormatException("domain search (119): truncated pointer");
          }
          int target = ((len & 0x3f) << 8) | (v[p + 1] & 0xff);
          if (target >= Math.min(p, limit)) {
            throw new DhcpFormatException("domain search (119): pointer does not point backwards");
          }
          if (next < 0) {
            next = p + 2;
          }
          limit = target;
          p = target;
          continue;
        }
        if ((len & 0xc0) != 0) {
          throw new DhcpFormatException("domain search (119): bad label type");
        }
        if (p + 1 + len > v.length) {
          throw new DhcpFormatException("domain search (119): label runs past the end");
        }
        for (int i = p + 1; i <= p + len; i++) {
          int c = v[i] & 0xff;
          if (c <= 0x20 || c >= 0x7f || c == '.') {
            throw new DhcpFormatException(
                "domain search (119): byte 0x" + Integer.toHexString(c) + " in a label");
          }
        }
        if (!name.isEmpty()) {
          name.append('.');
        }
        name.append(new String(v, p + 1, len, StandardCharsets.US_ASCII));
        if (name.length() > MAX_NAME) {
          throw new DhcpFormatException("domain search (119): name longer than 255");
        }
        p += 1 + len;
      }
      if (name.isEmpty()) {
        throw new DhcpFormatException("domain search (119): empty name");
      }
      out.add(name.toString().toLowerCase(Locale.ROOT));
      pos = next;
    }
    return List.copyOf(out);
  }
}
