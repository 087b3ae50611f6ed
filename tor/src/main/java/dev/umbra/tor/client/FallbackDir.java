package dev.umbra.tor.client;

import dev.umbra.tor.channel.RelayTarget;
import dev.umbra.tor.dir.DirServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A fallback directory as torrc's {@code FallbackDir} names it: {@code address:dirport orport=N
 * id=FINGERPRINT [weight=N] [ipv6=[addr]:port]}. The client reaches it on its ORPort over a one-hop
 * circuit (CREATE_FAST: its onion key is not known yet) and BEGIN_DIR; the DirPort is not used.
 */
public record FallbackDir(InetSocketAddress orPort, String fingerprint) {

  public static FallbackDir parse(String line) {
    String[] t = line.trim().split("\\s+", -1);
    InetAddress addr = null;
    int orPort = -1;
    String id = null;
    for (String s : t) {
      if (s.startsWith("orport=")) {
        orPort = port(s.substring(7));
      } else if (s.startsWith("id=")) {
        id = s.substring(3).replace("$", "").toUpperCase(Locale.ROOT);
      } else if (s.startsWith("weight=") || s.startsWith("ipv6=")) {
        // accepted: weights are not used, IPv6 ORPorts are not used by this client
      } else if (addr == null && s.matches("\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+")) {
        int c = s.indexOf(':');
        addr = literal(s.substring(0, c));
        port(s.substring(c + 1));
      } else {
        throw new IllegalArgumentException("FallbackDir: unexpected '" + s + "'");
      }
    }
    if (addr == null || orPort < 1 || id == null || !id.matches("[0-9A-F]{40}")) {
      throw new IllegalArgumentException(
          "FallbackDir needs an IPv4 address:dirport, orport=<port> and id=<40 hex>");
    }
    return new FallbackDir(new InetSocketAddress(addr, orPort), id);
  }

  public DirServer dirServer() {
    return new DirServer(
        "fallback " + fingerprint.substring(0, 8),
        new RelayTarget(orPort, HexFormat.of().parseHex(fingerprint), null),
        null,
        null);
  }

  private static int port(String s) {
    try {
      int p = Integer.parseInt(s);
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("FallbackDir: bad port " + s);
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("FallbackDir: bad port " + s, e);
    }
  }

  private static InetAddress literal(String ip) {
    String[] p = ip.split("\\.", -1);
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      int v = Integer.parseInt(p[i]);
      if (v > 255) {
        throw new IllegalArgumentException("FallbackDir: bad IPv4 address " + ip);
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
