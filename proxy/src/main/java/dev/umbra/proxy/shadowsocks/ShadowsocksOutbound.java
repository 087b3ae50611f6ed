package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Lifecycle;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.proxy.mux.MuxClient;
import dev.umbra.proxy.mux.SingMux;
import dev.umbra.transport.StreamConn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;

/** Shadowsocks client: AEAD and none, TCP and UDP. */
public final class ShadowsocksOutbound implements Outbound, Lifecycle {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Bound on a plugin server's handshake reply (the carrier has no read timeout of its own). */
  static final int HANDSHAKE_TIMEOUT_MILLIS = 15_000;

  private final String tag;
  private final ShadowsocksOutboundOptions options;
  private final Dialer dialer;
  private final Destination server;
  private final Method method;
  private final byte[] key;
  private final List<byte[]> psks;
  private final SaltFilter serverSalts =
      new SaltFilter(ShadowsocksInbound.SALT_FILTER_CAPACITY, Ss2022.SALT_WINDOW_NANOS);
  private final Set<Network> networks;
  private final MuxClient mux;
  private final Plugin plugin;
  private final int udpOverTcp;
  private final Sip003Process child;

  public ShadowsocksOutbound(String tag, ShadowsocksOutboundOptions options, Dialer dialer) {
    this.tag = tag;
    this.options = options;
    this.dialer = dialer;
    this.server = Destination.of(options.server(), options.serverPort());
    this.method = options.methodValue();
    if (method instanceof Method.Aead2022 a) {
      this.psks = Options.psks2022(a, options.password(), "password");
      this.key = psks.getLast();
    } else {
      this.psks = List.of();
      this.key = Options.key(method, options.password(), "password");
    }
    this.networks = Options.networks("", options.network());
    this.mux =
        MuxClient.create(
            tag,
            options.multiplex(),
            () -> dialDirect(Metadata.internal(Network.TCP, SingMux.DESTINATION)));
    this.plugin = options.pluginValue();
    this.udpOverTcp = options.udpOverTcpVersion();
    this.child =
        plugin instanceof Plugin.Child c
            ? new Sip003Process(
                tag, c.binary(), c.options(), options.server(), options.serverPort())
            : null;
  }

  @Override
  public void start(StartStage stage) throws IOException {
    if (stage == StartStage.START && child != null) {
      child.start();
    }
  }

  @Override
  public void close() {
    if (mux != null) {
      mux.close();
    }
    if (child != null) {
      child.close();
    }
  }

  /** The stream to the server: through the plugin when there is one. */
  private Conn carrier() throws IOException {
    return switch (plugin) {
      case Plugin.None n -> dialer.dial(server);
      case Plugin.ObfsHttp o ->
          new ObfsHttpConn(dialer.dial(server), o.host(), server.port(), o.uri());
      case Plugin.ObfsTls o -> new ObfsTlsConn(dialer.dial(server), o.host());
      case Plugin.V2ray v -> v2ray(v);
      case Plugin.Child c -> dialer.dial(Destination.of("127.0.0.1", child.localPort()));
    };
  }

  /** The v2ray-plugin carrier: TCP, TLS when asked, WebSocket, then Mux.Cool unless mux=0. */
  private Conn v2ray(Plugin.V2ray v) throws IOException {
    Conn c = dialer.dial(server);
    try {
      if (v.tls() != null) {
        c = v.tls().wrap(c, v.host());
      }
      c.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
      Conn ws = PluginWebSocket.connect(c, v.host(), v.path());
      c.setReadTimeout(0);
      return v.mux() ? new MuxCoolConn(ws, server.port()) : ws;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    if (!networks.contains(Network.TCP)) {
      throw new IOException("outbound '" + tag + "': network is udp only");
    }
    return mux != null ? mux.dial(metadata.destination()) : dialDirect(metadata);
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    if (!networks.contains(Network.UDP)) {
      throw new IOException("outbound '" + tag + "': network is tcp only");
    }
    return mux != null ? mux.listenPacket(metadata.destination()) : listenPacketDirect(metadata);
  }

  private Conn dialDirect(Metadata metadata) throws IOException {
    Conn carrier = carrier();
    try {
      return open(carrier, metadata.destination());
    } catch (IOException | RuntimeException e) {
      carrier.close();
      throw e;
    }
  }

  private Conn open(Conn carrier, Destination destination) throws IOException {
    byte[] header = NoneServerHandshake.header(destination);
    return switch (method) {
      case Method.None n -> {
        ClientSession s = ClientSession.prefixed(carrier.out(), header);
        yield new StreamConn(carrier, s.in(carrier.in()), s.out());
      }
      case Method.Aead a -> {
        byte[] salt = new byte[a.saltSize()];
        RANDOM.nextBytes(salt);
        OutputStream sealed =
            new AeadOutputStream(carrier.out(), codec(a, Kdf.aeadSubkey(key, salt)), salt);
        ClientSession s = ClientSession.prefixed(sealed, header);
        InputStream response =
            new LazyInputStream(() -> {
              byte[] serverSalt = new byte[a.saltSize()];
              int first = carrier.in().read(serverSalt, 0, 1);
              if (first < 0) {
                return null; // closed without a reply
              }
              byte[] rest = new byte[a.saltSize() - 1];
              if (!ServerHandshake.readFully(carrier.in(), rest)) {
                throw new ShadowsocksException("server closed inside its salt");
              }
              System.arraycopy(rest, 0, serverSalt, 1, rest.length);
              return new AeadInputStream(carrier.in(), codec(a, Kdf.aeadSubkey(key, serverSalt)));
            });
        yield new StreamConn(carrier, s.in(response), s.out());
      }
      case Method.Aead2022 a -> Aead2022Client.open(carrier, a, psks, destination, serverSalts);
    };
  }

  private static AeadStreamCodec codec(Method.Aead a, byte[] subkey) {
    return new AeadStreamCodec(new AeadCipher(a.kind(), subkey), AeadStreamCodec.MAX_PAYLOAD_AEAD);
  }

  private PacketConn listenPacketDirect(Metadata metadata) throws IOException {
    if (udpOverTcp != 0) {
      return uot(metadata.destination());
    }
    PacketConn carrier = dialer.listenPacket(server);
    return new ClientPacketConn(carrier, server, UdpCodecs.client(method, key, psks));
  }

  /** UDP over TCP: a Shadowsocks stream to the magic destination carrying framed datagrams. */
  private PacketConn uot(Destination destination) throws IOException {
    Conn carrier = carrier();
    try {
      Conn stream = open(carrier, UdpOverTcp.magic(udpOverTcp));
      if (udpOverTcp == 2) {
        Destination d = destination != null ? destination : Destination.of("0.0.0.0", 0);
        stream.out().write(new UdpOverTcp.Request(false, d).encode());
        stream.out().flush();
      }
      return new UotPacketConn(stream, null, null);
    } catch (IOException | RuntimeException e) {
      carrier.close();
      throw e;
    }
  }

  @Override
  public Set<Network> networks() {
    return networks;
  }

  @Override
  public List<String> dependencies() {
    return options.dial() == null || options.dial().detour() == null
        ? List.of()
        : List.of(options.dial().detour());
  }

  @Override
  public String type() {
    return "shadowsocks";
  }

  @Override
  public String tag() {
    return tag;
  }
}
