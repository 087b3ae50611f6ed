package dev.umbra.proxy.socks;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** SOCKS5 (with UDP), SOCKS4 and SOCKS4a client. */
public final class SocksOutbound implements Outbound {
  private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
  private final String tag;
  private final SocksOutboundOptions options;
  private final Dialer dialer;
  private final Destination server;

  public SocksOutbound(String tag, SocksOutboundOptions options, Dialer dialer) {
    this.tag = tag;
    this.options = options;
    this.dialer = dialer;
    this.server = Destination.of(options.server(), options.serverPort());
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    Conn conn = dialer.dial(server);
    try {
      conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
      switch (options.versionOrDefault()) {
        case "4" -> SocksClient.handshake4(conn, metadata.destination(), false, options.username());
        case "4a" -> SocksClient.handshake4(conn, metadata.destination(), true, options.username());
        default ->
            SocksClient.handshake5(
                conn,
                Socks5.CMD_CONNECT,
                metadata.destination(),
                options.username(),
                options.password());
      }
      conn.setReadTimeout(0);
      return conn;
    } catch (IOException | RuntimeException e) {
      conn.close();
      throw e;
    }
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    if (!options.versionOrDefault().equals("5")) {
      throw new IOException("outbound '" + tag + "': UDP needs SOCKS version 5");
    }
    Conn control = dialer.dial(server);
    try {
      control.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
      Destination any = Destination.of("0.0.0.0", 0);
      Destination relay =
          SocksClient.handshake5(
              control, Socks5.CMD_UDP_ASSOCIATE, any, options.username(), options.password());
      control.setReadTimeout(0);
      if (relay instanceof Destination.Ip ip && ip.address().isAnyLocalAddress()) {
        relay = server.withPort(relay.port());
      }
      PacketConn udp = dialer.listenPacket(relay);
      return new SocksUdpClient(control, udp, relay);
    } catch (IOException | RuntimeException e) {
      control.close();
      throw e;
    }
  }

  @Override
  public Set<Network> networks() {
    if (options.network() == null) {
      return options.versionOrDefault().equals("5")
          ? EnumSet.of(Network.TCP, Network.UDP)
          : EnumSet.of(Network.TCP);
    }
    return EnumSet.of(options.network().equals("udp") ? Network.UDP : Network.TCP);
  }

  @Override
  public List<String> dependencies() {
    return options.dial().detour() == null ? List.of() : List.of(options.dial().detour());
  }

  @Override
  public String type() {
    return "socks";
  }

  @Override
  public String tag() {
    return tag;
  }
}
