package dev.umbra.proxy.trojan;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.proxy.mux.MuxClient;
import dev.umbra.proxy.mux.SingMux;
import dev.umbra.transport.ClientStack;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Trojan client: TLS (and a transport) to the server, then the request header. */
public final class TrojanOutbound implements Outbound, java.io.Closeable {
  private final String tag;
  private final TrojanOutboundOptions options;
  private final Dialer dialer;
  private final Destination server;
  private final ClientStack stack;
  private final byte[] key;
  private final Set<Network> networks;
  private final MuxClient mux;

  public TrojanOutbound(String tag, TrojanOutboundOptions options, Dialer dialer) {
    this.tag = tag;
    this.options = options;
    this.dialer = dialer;
    this.server = Destination.of(options.server(), options.serverPort());
    this.stack = ClientStack.create(options.tls(), options.transport(), "");
    this.key = Trojan.key(options.password());
    String n = options.network();
    this.networks =
        n == null || n.isEmpty()
            ? EnumSet.of(Network.TCP, Network.UDP)
            : EnumSet.of(n.equals("tcp") ? Network.TCP : Network.UDP);
    this.mux =
        MuxClient.create(
            tag,
            options.multiplex(),
            () -> dialDirect(Metadata.internal(Network.TCP, SingMux.DESTINATION)));
  }

  private Conn open(int command, Destination destination) throws IOException {
    Conn c = stack.connect(dialer, server, options.server());
    try {
      c.out().write(Trojan.request(key, command, destination));
      c.out().flush();
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    if (!networks.contains(Network.TCP)) {
      throw new IOException("outbound '" + tag + "' (trojan) is set to network udp");
    }
    return mux != null ? mux.dial(metadata.destination()) : dialDirect(metadata);
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    if (!networks.contains(Network.UDP)) {
      throw new IOException("outbound '" + tag + "' (trojan) is set to network tcp");
    }
    return mux != null ? mux.listenPacket(metadata.destination()) : listenPacketDirect(metadata);
  }

  private Conn dialDirect(Metadata metadata) throws IOException {
    return open(Trojan.CONNECT, metadata.destination());
  }

  private PacketConn listenPacketDirect(Metadata metadata) throws IOException {
    return new TrojanPacketConn(open(Trojan.UDP_ASSOCIATE, metadata.destination()));
  }

  @Override
  public Set<Network> networks() {
    return networks;
  }

  @Override
  public List<String> dependencies() {
    return options.dial().detour() == null ? List.of() : List.of(options.dial().detour());
  }

  @Override
  public String type() {
    return "trojan";
  }

  @Override
  public String tag() {
    return tag;
  }

  /** Closes the multiplex sessions (and the threads they started) this outbound opened. */
  @Override
  public void close() {
    if (mux != null) {
      mux.close();
    }
    stack.close();
  }
}
