package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;

/**
 * TLS: the server_name of a ClientHello, which may span several handshake records and reads. Record
 * layer: type 22, version 3.x, 2-byte length; handshake: type 1, 3-byte length.
 */
public final class TlsSniffer implements Sniffer {
  /** Largest ClientHello we reassemble (post-quantum key shares make them ~2 KiB). */
  static final int MAX_HELLO = 16 * 1024;

  @Override
  public String name() {
    return "tls";
  }

  @Override
  public Network network() {
    return Network.TCP;
  }

  @Override
  public SniffOutcome sniff(ByteBuffer data) {
    ByteBuffer b = data.duplicate();
    // Reassemble the handshake message from consecutive handshake records.
    byte[] hello = new byte[MAX_HELLO];
    int have = 0;
    int need = -1;
    while (true) {
      if (b.remaining() < 5) {
        return b.remaining() == 0 || plausibleRecordStart(b)
            ? SniffOutcome.NEED_MORE
            : SniffOutcome.NO_MATCH;
      }
      int type = b.get() & 0xff;
      int major = b.get() & 0xff;
      b.get();
      int len = b.getShort() & 0xffff;
      if (type != 22 || major != 3 || len == 0 || len > 16384 + 2048) {
        return SniffOutcome.NO_MATCH;
      }
      int take = Math.min(len, b.remaining());
      if (have + take > MAX_HELLO) {
        return SniffOutcome.NO_MATCH;
      }
      b.get(hello, have, take);
      have += take;
      if (need < 0 && have >= 4) {
        if ((hello[0] & 0xff) != 1) {
          return SniffOutcome.NO_MATCH; // not a ClientHello
        }
        need = 4 + (((hello[1] & 0xff) << 16) | ((hello[2] & 0xff) << 8) | (hello[3] & 0xff));
        if (need > MAX_HELLO) {
          return SniffOutcome.NO_MATCH;
        }
      }
      if (need >= 0 && have >= need) {
        return parseHello(ByteBuffer.wrap(hello, 4, need - 4));
      }
      if (take < len) {
        return SniffOutcome.NEED_MORE; // the record continues in later bytes
      }
    }
  }

  private static boolean plausibleRecordStart(ByteBuffer b) {
    ByteBuffer p = b.duplicate();
    if ((p.get() & 0xff) != 22) {
      return false;
    }
    return !p.hasRemaining() || (p.get() & 0xff) == 3;
  }

  /** Parses a ClientHello body: its server_name host and ALPN list. */
  static SniffOutcome parseHello(ByteBuffer h) {
    ClientHello hello = ClientHello.parse(h);
    if (hello == null) {
      return SniffOutcome.NO_MATCH;
    }
    return new SniffOutcome.Match(new SniffResult("tls", hello.serverName(), null, hello.alpn()));
  }

  static boolean validHost(String host) {
    if (host.isEmpty() || host.length() > 253) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) {
        return false;
      }
    }
    return true;
  }
}
