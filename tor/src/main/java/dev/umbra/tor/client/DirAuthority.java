package dev.umbra.tor.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A directory authority as torrc's {@code DirAuthority} names it: {@code nickname [flags] orport=N
 * v3ident=HEX address:dirport FINGERPRINT}.
 */
public record DirAuthority(
    String nickname, InetSocketAddress dirAddress, int orPort, String v3ident, String fingerprint) {

  public static DirAuthority parse(String line) {
    String[] t = line.trim().split("\\s+", -1);
    if (t.length < 4) {
      throw new IllegalArgumentException(
          "DirAuthority needs nickname, address:port and fingerprint");
    }
    String nick = t[0];
    int orPort = 0;
    String v3 = null;
    InetSocketAddress addr = null;
    StringBuilder fp = new StringBuilder();
    for (int i = 1; i < t.length; i++) {
      String s = t[i];
      if (s.startsWith("orport=")) {
        orPort = Integer.parseInt(s.substring(7));
      } else if (s.startsWith("v3ident=")) {
        v3 = s.substring(8).toUpperCase(Locale.ROOT);
      } else if (addr == null && s.matches("\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+")) {
        int c = s.indexOf(':');
        addr =
            new InetSocketAddress(literal(s.substring(0, c)), Integer.parseInt(s.substring(c + 1)));
      } else if (addr != null && s.matches("[0-9A-Fa-f]{4,40}")) {
        fp.append(s);
      } else if (addr != null) {
        throw new IllegalArgumentException("DirAuthority: unexpected '" + s + "'");
      }
      // other flags before the address (hs, no-v2, bridge, weight=…) are accepted and ignored
    }
    if (addr == null || v3 == null || !v3.matches("[0-9A-F]{40}") || fp.length() != 40) {
      throw new IllegalArgumentException(
          "DirAuthority needs v3ident=<40 hex>, an IPv4 address:dirport and a 40-hex fingerprint");
    }
    return new DirAuthority(nick, addr, orPort, v3, fp.toString().toUpperCase(Locale.ROOT));
  }

  public byte[] rsaId() {
    return HexFormat.of().parseHex(fingerprint);
  }

  private static InetAddress literal(String ip) {
    String[] p = ip.split("\\.", -1);
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      int v = Integer.parseInt(p[i]);
      if (v > 255) {
        throw new IllegalArgumentException("bad IPv4 address " + ip);
      }
      b[i] = (byte) v;
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
