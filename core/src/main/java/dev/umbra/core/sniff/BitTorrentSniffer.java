package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * BitTorrent over TCP: the peer-wire handshake, {@code 19 "BitTorrent protocol"} (BEP 3); over UDP:
 * a uTP header (BEP 29) or a DHT message (BEP 5, a bencoded dictionary).
 */
public final class BitTorrentSniffer implements Sniffer {
  private static final byte[] HANDSHAKE =
      "\u0013BitTorrent protocol".getBytes(StandardCharsets.ISO_8859_1);
  private final Network network;

  public BitTorrentSniffer() {
    this(Network.TCP);
  }

  BitTorrentSniffer(Network network) {
    this.network = network;
  }

  /** The UDP variant, registered separately. */
  public static final class Udp implements Sniffer {
    private final BitTorrentSniffer inner = new BitTorrentSniffer(Network.UDP);

    @Override
    public String name() {
      return "bittorrent";
    }

    @Override
    public Network network() {
      return Network.UDP;
    }

    @Override
    public SniffOutcome sniff(ByteBuffer data) {
      return inner.sniff(data);
    }
  }

  @Override
  public String name() {
    return "bittorrent";
  }

  @Override
  public Network network() {
    return network;
  }

  @Override
  public SniffOutcome sniff(ByteBuffer data) {
    return network == Network.TCP ? sniffTcp(data) : sniffUdp(data);
  }

  private static SniffOutcome sniffTcp(ByteBuffer b) {
    int n = Math.min(b.remaining(), HANDSHAKE.length);
    for (int i = 0; i < n; i++) {
      if (b.get(b.position() + i) != HANDSHAKE[i]) {
        return SniffOutcome.NO_MATCH;
      }
    }
    return n < HANDSHAKE.length ? SniffOutcome.NEED_MORE : match();
  }

  private static SniffOutcome sniffUdp(ByteBuffer b) {
    int p = b.position();
    int len = b.remaining();
    // DHT: bencoded dictionary "d1:a" / "d1:r" / "d1:e" / "d1:t" ... ending in 'e'
    if (len >= 8
        && b.get(p) == 'd'
        && b.get(p + 1) == '1'
        && b.get(p + 2) == ':'
        && b.get(p + len - 1) == 'e') {
      return match();
    }
    // uTP: version 1 in the low nibble, type 0..4 in the high nibble, extension 0..2, 20-byte
    // header
    if (len >= 20) {
      int typeVersion = b.get(p) & 0xff;
      int type = typeVersion >> 4;
      int extension = b.get(p + 1) & 0xff;
      if ((typeVersion & 0x0f) == 1 && type <= 4 && extension <= 2) {
        if (type == 4 && len == 20 && extension == 0) {
          return match(); // ST_SYN: a connection opening, header only
        }
      }
    }
    return SniffOutcome.NO_MATCH;
  }

  private static SniffOutcome match() {
    return new SniffOutcome.Match(new SniffResult("bittorrent", null, null));
  }
}
