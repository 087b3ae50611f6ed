package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * DNS: a standard query with one question (RFC 1035). Over TCP the message has a two-byte length
 * prefix. The domain is the question name.
 */
public final class DnsSniffer implements Sniffer {
  private final Network network;

  public DnsSniffer() {
    this(Network.UDP);
  }

  DnsSniffer(Network network) {
    this.network = network;
  }

  /** The TCP variant, registered separately. */
  public static final class Tcp implements Sniffer {
    private final DnsSniffer inner = new DnsSniffer(Network.TCP);

    @Override
    public String name() {
      return "dns";
    }

    @Override
    public Network network() {
      return Network.TCP;
    }

    @Override
    public SniffOutcome sniff(ByteBuffer data) {
      return inner.sniff(data);
    }
  }

  @Override
  public String name() {
    return "dns";
  }

  @Override
  public Network network() {
    return network;
  }

  @Override
  public SniffOutcome sniff(ByteBuffer data) {
    ByteBuffer b = data.duplicate();
    if (network == Network.TCP) {
      if (b.remaining() < 2) {
        return SniffOutcome.NEED_MORE;
      }
      int len = b.getShort() & 0xffff;
      if (len < 12 || len > 4096) {
        return SniffOutcome.NO_MATCH;
      }
      if (b.remaining() < len) {
        return SniffOutcome.NEED_MORE;
      }
      b.limit(b.position() + len);
    }
    if (b.remaining() < 12) {
      return SniffOutcome.NO_MATCH;
    }
    int p = b.position();
    int flags = b.getShort(p + 2) & 0xffff;
    int qd = b.getShort(p + 4) & 0xffff;
    int an = b.getShort(p + 6) & 0xffff;
    boolean query = (flags & 0x8000) == 0;
    int opcode = (flags >> 11) & 0xf;
    if (!query || opcode != 0 || qd != 1 || an != 0 || (flags & 0x000f) != 0) {
      return SniffOutcome.NO_MATCH;
    }
    b.position(p + 12);
    StringBuilder name = new StringBuilder();
    int labels = 0;
    while (true) {
      if (!b.hasRemaining()) {
        return SniffOutcome.NO_MATCH;
      }
      int l = b.get() & 0xff;
      if (l == 0) {
        break;
      }
      if (l > 63 || b.remaining() < l || ++labels > 127) {
        return SniffOutcome.NO_MATCH; // compression is not used in a question of a query
      }
      if (!name.isEmpty()) {
        name.append('.');
      }
      for (int i = 0; i < l; i++) {
        name.append((char) (b.get() & 0xff));
      }
    }
    if (b.remaining() < 4) {
      return SniffOutcome.NO_MATCH;
    }
    String domain = name.toString().toLowerCase(Locale.ROOT);
    return new SniffOutcome.Match(
        new SniffResult("dns", TlsSniffer.validHost(domain) ? domain : null, null));
  }
}
