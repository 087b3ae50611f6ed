package dev.umbra.core.route.srs;

import java.util.Arrays;

/** An address (4 or 16 bytes) and a prefix length, as the interface-address items carry them. */
// The array is copied in and never exposed mutably; equals and hashCode compare contents.
@SuppressWarnings("ArrayRecordComponent")
public record IpPrefix(byte[] address, int bits) {

  /** Parses {@code "10.0.0.0/8"} or a bare address (a full-length prefix). */
  public static IpPrefix parse(String text) {
    int slash = text.indexOf('/');
    byte[] a = IpText.parse(slash < 0 ? text : text.substring(0, slash));
    if (a == null) {
      throw new IllegalArgumentException("invalid IP prefix '" + text + "'");
    }
    int bits = a.length * 8;
    if (slash >= 0) {
      String b = text.substring(slash + 1);
      if (b.isEmpty()
          || b.length() > 3
          || (b.length() > 1 && b.charAt(0) == '0')
          || !b.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("invalid IP prefix '" + text + "'");
      }
      bits = Integer.parseInt(b);
      if (bits > a.length * 8) {
        throw new IllegalArgumentException("invalid prefix length in '" + text + "'");
      }
    }
    return new IpPrefix(a, bits);
  }

  @Override
  public String toString() {
    return IpText.format(address) + "/" + bits;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpPrefix p && p.bits == bits && Arrays.equals(p.address, address);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(address) * 31 + bits;
  }

  static IpPrefix read(ByteReader in) throws SrsFormatException {
    byte[] a = in.lengthPrefixed();
    if (a.length != 4 && a.length != 16) {
      throw new SrsFormatException("address of " + a.length + " bytes");
    }
    int bits = in.u8();
    if (bits > a.length * 8) {
      throw new SrsFormatException(
          "prefix length " + bits + " for a " + a.length + "-byte address");
    }
    return new IpPrefix(a, bits);
  }

  void write(ByteWriter out) {
    out.lengthPrefixed(address);
    out.u8(bits);
  }
}
