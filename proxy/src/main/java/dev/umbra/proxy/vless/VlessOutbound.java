package dev.umbra.proxy.vless;

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
import dev.umbra.transport.StreamConn;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** VLESS client: TLS and transport to the server, then the request header. */
public final class VlessOutbound implements Outbound, java.io.Closeable {
  private final String tag;
  private final VlessOutboundOptions options;
  private final Dialer dialer;
  private final Destination server;
  private final ClientStack stack;
  private final byte[] uuid;
  private final Set<Network> networks;
  private final MuxClient mux;
  private final boolean vision;
  private final String packetEncoding;

  public VlessOutbound(String tag, VlessOutboundOptions options, Dialer dialer) {
    this.tag = tag;
    this.options = options;
    this.dialer = dialer;
    this.server = Destination.of(options.server(), options.serverPort());
    this.stack = ClientStack.create(options.tls(), options.transport(), "");
    this.uuid = Uuids.parse(options.uuid(), "uuid");
    String n = options.network();
    this.networks =
        n == null || n.isEmpty()
            ? EnumSet.of(Network.TCP, Network.UDP)
            : EnumSet.of(n.equals("tcp") ? Network.TCP : Network.UDP);
    this.vision = Flow.isVision(options.flow());
    this.packetEncoding = options.packetEncoding() == null ? "" : options.packetEncoding();
    this.mux =
        MuxClient.create(
            tag,
            options.multiplex(),
            () -> dialDirect(Metadata.internal(Network.TCP, SingMux.DESTINATION)));
  }

  private Conn open(int command, Destination destination) throws IOException {
    Conn c = stack.connect(dialer, server, options.server());
    try {
      if (vision && command != Vless.UDP) {
        // Vision: the request names the flow; padded blocks follow in the same write. The Mux
        // command (xudp) is padded like TCP, as Xray's client does.
        return VisionConn.client(c, uuid, Vless.request(uuid, command, destination, Flow.VISION));
      }
      c.out().write(Vless.request(uuid, command, destination));
      c.out().flush();
      return new StreamConn(c, new ResponseSkippingInputStream(c.in()), c.out());
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    if (!networks.contains(Network.TCP)) {
      throw new IOException("outbound '" + tag + "' (vless) is set to network udp");
    }
    return mux != null ? mux.dial(metadata.destination()) : dialDirect(metadata);
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    if (!networks.contains(Network.UDP)) {
      throw new IOException("outbound '" + tag + "' (vless) is set to network tcp");
    }
    return mux != null ? mux.listenPacket(metadata.destination()) : listenPacketDirect(metadata);
  }

  private Conn dialDirect(Metadata metadata) throws IOException {
    return open(Vless.TCP, metadata.destination());
  }

  private PacketConn listenPacketDirect(Metadata metadata) throws IOException {
    // with Vision, UDP always goes as xudp (Xray's client; servers refuse the UDP command with it)
    String encoding = vision ? "xudp" : packetEncoding;
    return switch (encoding) {
      case "xudp" -> new Xudp(open(Vless.MUX, Xudp.DESTINATION), metadata.destination(), true);
      case "packetaddr" ->
          new PacketAddr(
              new LengthPacketConn(
                  open(Vless.UDP, PacketAddr.DESTINATION), PacketAddr.DESTINATION));
      default ->
          new LengthPacketConn(open(Vless.UDP, metadata.destination()), metadata.destination());
    };
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
    return "vless";
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
