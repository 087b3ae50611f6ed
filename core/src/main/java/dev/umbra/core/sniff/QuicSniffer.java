package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * QUIC: the server name and ALPN of the ClientHello in a client's Initial packets (v1 and v2). The
 * Initial keys derive from the packet itself, so anyone on the path can open it (RFC 9001 §5.2).
 * The ClientHello may span several packets and datagrams; we read at most {@link #MAX_DATAGRAMS}.
 */
public final class QuicSniffer implements Sniffer {
  /** Datagrams we look at before giving up on an incomplete ClientHello. */
  static final int MAX_DATAGRAMS = 8;

  @Override
  public String name() {
    return "quic";
  }

  @Override
  public Network network() {
    return Network.UDP;
  }

  @Override
  public SniffOutcome sniff(ByteBuffer data) {
    return sniffPackets(List.of(data));
  }

  @Override
  public SniffOutcome sniffPackets(List<ByteBuffer> datagrams) {
    QuicInitialReader reader = new QuicInitialReader();
    for (int i = 0; i < datagrams.size() && i < MAX_DATAGRAMS; i++) {
      QuicInitialReader.Verdict v = reader.read(datagrams.get(i));
      if (v == QuicInitialReader.Verdict.INVALID
          || (i == 0 && v == QuicInitialReader.Verdict.UNREADABLE)) {
        return SniffOutcome.NO_MATCH;
      }
      switch (reader.crypto().state()) {
        case INVALID -> {
          return SniffOutcome.NO_MATCH;
        }
        case COMPLETE -> {
          ClientHello hello = ClientHello.parse(reader.crypto().helloBody());
          if (hello == null) {
            return SniffOutcome.NO_MATCH;
          }
          return new SniffOutcome.Match(
              new SniffResult("quic", hello.serverName(), null, hello.alpn()));
        }
        case INCOMPLETE -> {}
      }
    }
    return datagrams.size() >= MAX_DATAGRAMS ? SniffOutcome.NO_MATCH : SniffOutcome.NEED_MORE;
  }
}
