package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** SSH: the client's identification line "SSH-2.0-software comments" (RFC 4253 §4.2). */
public final class SshSniffer implements Sniffer {
  private static final byte[] PREFIX = "SSH-".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_LINE = 255;

  @Override
  public String name() {
    return "ssh";
  }

  @Override
  public Network network() {
    return Network.TCP;
  }

  @Override
  public SniffOutcome sniff(ByteBuffer data) {
    ByteBuffer b = data.duplicate();
    int n = Math.min(b.remaining(), MAX_LINE);
    for (int i = 0; i < Math.min(n, PREFIX.length); i++) {
      if (b.get(b.position() + i) != PREFIX[i]) {
        return SniffOutcome.NO_MATCH;
      }
    }
    byte[] bytes = new byte[n];
    b.get(bytes);
    String text = new String(bytes, StandardCharsets.US_ASCII);
    int end = text.indexOf("\r\n");
    if (end < 0) {
      return n >= MAX_LINE ? SniffOutcome.NO_MATCH : SniffOutcome.NEED_MORE;
    }
    String line = text.substring(0, end);
    if (!line.startsWith("SSH-2.0-") && !line.startsWith("SSH-1.99-")) {
      return SniffOutcome.NO_MATCH;
    }
    String software = line.substring(line.indexOf('-', 4) + 1);
    int space = software.indexOf(' ');
    return new SniffOutcome.Match(
        new SniffResult("ssh", null, space < 0 ? software : software.substring(0, space)));
  }
}
