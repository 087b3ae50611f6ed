package dev.umbra.core.route.srs;

/**
 * IP addresses as Go's net/netip reads and prints them, so rule-sets decompile to the same text as
 * sing-box's: IPv4-mapped IPv6 stays IPv6 ({@code ::ffff:1.2.3.4}), no zones, no leading zeros.
 */
final class IpText {
  private IpText() {}

  /** 4 or 16 bytes, or null if {@code s} is not an IP literal. */
  static byte[] parse(String s) {
    return s.indexOf(':') >= 0 ? parse6(s) : parse4(s);
  }

  private static byte[] parse4(String s) {
    byte[] out = new byte[4];
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return null;
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        char c = p.charAt(j);
        if (c < '0' || c > '9') {
          return null;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  private static byte[] parse6(String s) {
    if (s.indexOf('%') >= 0) {
      return null;
    }
    byte[] out = new byte[16];
    int ellipsis = -1;
    int i = 0;
    int pos = 0;
    if (s.startsWith("::")) {
      ellipsis = 0;
      pos = 2;
      if (pos == s.length()) {
        return out;
      }
    }
    while (i < 16) {
      int start = pos;
      int v = 0;
      while (pos < s.length() && hex(s.charAt(pos)) >= 0 && pos - start < 5) {
        v = (v << 4) | hex(s.charAt(pos));
        pos++;
      }
      int digits = pos - start;
      if (digits == 0 || digits > 4) {
        return null;
      }
      if (pos < s.length() && s.charAt(pos) == '.') {
        if ((ellipsis < 0 && i != 12) || i > 12) {
          return null;
        }
        byte[] v4 = parse4(s.substring(start));
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, out, i, 4);
        i += 4;
        pos = s.length();
        break;
      }
      out[i++] = (byte) (v >>> 8);
      out[i++] = (byte) v;
      if (pos == s.length()) {
        break;
      }
      if (s.charAt(pos) != ':') {
        return null;
      }
      pos++;
      if (pos < s.length() && s.charAt(pos) == ':') {
        if (ellipsis >= 0) {
          return null;
        }
        ellipsis = i;
        pos++;
        if (pos == s.length()) {
          break;
        }
      } else if (pos == s.length()) {
        return null;
      }
    }
    if (pos != s.length()) {
      return null;
    }
    if (i < 16) {
      if (ellipsis < 0) {
        return null;
      }
      int n = 16 - i;
      for (int j = i - 1; j >= ellipsis; j--) {
        out[j + n] = out[j];
      }
      for (int j = ellipsis + n - 1; j >= ellipsis; j--) {
        out[j] = 0;
      }
    } else if (ellipsis >= 0) {
      return null;
    }
    return out;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  static String format(byte[] a) {
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    boolean mapped = true;
    for (int i = 0; i < 10; i++) {
      mapped &= a[i] == 0;
    }
    if (mapped && a[10] == (byte) 0xff && a[11] == (byte) 0xff) {
      return "::ffff:" + format(new byte[] {a[12], a[13], a[14], a[15]});
    }
    // The longest run of two or more zero groups becomes "::" (the first if tied).
    int bestStart = -1;
    int bestLen = 0;
    for (int g = 0; g < 8; ) {
      if (group(a, g) != 0) {
        g++;
        continue;
      }
      int start = g;
      while (g < 8 && group(a, g) == 0) {
        g++;
      }
      if (g - start >= 2 && g - start > bestLen) {
        bestStart = start;
        bestLen = g - start;
      }
    }
    StringBuilder b = new StringBuilder();
    for (int g = 0; g < 8; g++) {
      if (g == bestStart) {
        b.append("::");
        g += bestLen - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(Integer.toHexString(group(a, g)));
    }
    return b.toString();
  }

  private static int group(byte[] a, int g) {
    return ((a[2 * g] & 0xff) << 8) | (a[2 * g + 1] & 0xff);
  }
}
