package dev.umbra.proxy.vmess;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.proxy.mux.MuxClient;
import dev.umbra.proxy.mux.SingMux;
import dev.umbra.proxy.vless.PacketAddr;
import dev.umbra.proxy.vless.Uuids;
import dev.umbra.proxy.vless.Xudp;
import dev.umbra.transport.ClientStack;
import dev.umbra.transport.StreamConn;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.crypto.AEADBadTagException;

/** VMess client with the AEAD header. */
public final class VmessOutbound implements Outbound, java.io.Closeable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final String tag;
  private final VmessOutboundOptions options;
  private final Dialer dialer;
  private final Destination server;
  private final ClientStack stack;
  private final byte[] cmdKey;
  private final Security security;
  private final Set<Network> networks;
  private final MuxClient mux;
  private final String packetEncoding;

  public VmessOutbound(String tag, VmessOutboundOptions options, Dialer dialer) {
    this.tag = tag;
    this.options = options;
    this.dialer = dialer;
    this.server = Destination.of(options.server(), options.serverPort());
    this.stack = ClientStack.create(options.tls(), options.transport(), "");
    this.cmdKey = VmessHeader.cmdKey(Uuids.parse(options.uuid(), "uuid"));
    this.security = options.securityValue();
    String n = options.network();
    this.networks =
        n == null || n.isEmpty()
            ? EnumSet.of(Network.TCP, Network.UDP)
            : EnumSet.of(n.equals("tcp") ? Network.TCP : Network.UDP);
    this.packetEncoding = options.packetEncoding() == null ? "" : options.packetEncoding();
    this.mux =
        MuxClient.create(
            tag,
            options.multiplex(),
            () -> dialDirect(Metadata.internal(Network.TCP, SingMux.DESTINATION)));
  }

  /** An open session: the carrier and the body keys of both directions. */
  private record Session(Conn conn, BodyKeys request, BodyKeys response, int responseAuth) {}

  private Session open(int command, Destination destination) throws IOException {
    int opts;
    if (security.aead()) {
      opts = Options.CHUNK_STREAM | Options.CHUNK_MASKING;
      if (Boolean.TRUE.equals(options.globalPadding())) {
        opts |= Options.GLOBAL_PADDING;
      }
      if (Boolean.TRUE.equals(options.authenticatedLength())) {
        opts |= Options.AUTHENTICATED_LENGTH;
      }
    } else {
      opts = command == VmessHeader.UDP ? Options.CHUNK_STREAM : 0;
    }
    // "zero" goes on the wire as none without a chunk stream, which is what peers understand
    Security wire = security == Security.ZERO ? Security.NONE : security;
    byte[] key = new byte[16];
    byte[] iv = new byte[16];
    RANDOM.nextBytes(key);
    RANDOM.nextBytes(iv);
    int responseAuth = RANDOM.nextInt(256);
    byte[] padding = new byte[RANDOM.nextInt(16)];
    RANDOM.nextBytes(padding);
    byte[] header =
        VmessHeader.encode(
            new VmessHeader.Request(iv, key, responseAuth, opts, wire, command, destination),
            padding);
    byte[] nonce = new byte[8];
    RANDOM.nextBytes(nonce);
    byte[] authId = VmessHeader.authId(cmdKey, System.currentTimeMillis() / 1000, RANDOM.nextInt());
    Conn c = stack.connect(dialer, server, options.server());
    try {
      c.out().write(VmessHeader.seal(cmdKey, authId, nonce, header));
      c.out().flush();
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return new Session(
        c,
        new BodyKeys(wire, opts, key, iv, key, iv),
        new BodyKeys(wire, opts, BodyKeys.responseOf(key), BodyKeys.responseOf(iv), key, iv),
        responseAuth);
  }

  /** Reads and checks the response header. */
  private static void readResponse(Session s) throws IOException {
    DataInputStream in = new DataInputStream(s.conn().in());
    byte[] sealedLength = new byte[18];
    in.readFully(sealedLength);
    try {
      int len = VmessHeader.openResponseLength(s.response().key(), s.response().iv(), sealedLength);
      if (len < 4 || len > 1024) {
        throw new ProtocolException("VMess response header length " + len);
      }
      byte[] sealed = new byte[len + 16];
      in.readFully(sealed);
      byte[] h = VmessHeader.openResponse(s.response().key(), s.response().iv(), sealed);
      if ((h[0] & 0xff) != s.responseAuth()) {
        throw new ProtocolException("VMess response header does not answer our request");
      }
    } catch (AEADBadTagException e) {
      throw new ProtocolException("VMess response header failed authentication");
    }
  }

  private static boolean chunked(BodyKeys k) {
    return k.security().aead() || k.has(Options.CHUNK_STREAM);
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    if (!networks.contains(Network.TCP)) {
      throw new IOException("outbound '" + tag + "' (vmess) is set to network udp");
    }
    return mux != null ? mux.dial(metadata.destination()) : dialDirect(metadata);
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    if (!networks.contains(Network.UDP)) {
      throw new IOException("outbound '" + tag + "' (vmess) is set to network tcp");
    }
    return mux != null ? mux.listenPacket(metadata.destination()) : listenPacketDirect(metadata);
  }

  private Conn dialDirect(Metadata metadata) throws IOException {
    return stream(open(VmessHeader.TCP, metadata.destination()));
  }

  /** The body of a TCP or Mux session as a stream. */
  private static Conn stream(Session s) {
    Conn c = s.conn();
    InputStream afterHeader = new AfterResponseHeader(s);
    if (!chunked(s.request())) {
      return new StreamConn(c, afterHeader, c.out());
    }
    ChunkWriter writer = new ChunkWriter(c.out(), s.request());
    return new StreamConn(c, new ChunkReader(afterHeader, s.response()), writer, writer::finish);
  }

  /** The server's bytes after its response header, which is read and checked on first use. */
  private static final class AfterResponseHeader extends InputStream {
    private final Session session;
    private final InputStream in;
    private boolean headerRead;

    AfterResponseHeader(Session session) {
      this.session = session;
      this.in = session.conn().in();
    }

    private void header() throws IOException {
      if (!headerRead) {
        readResponse(session);
        headerRead = true;
      }
    }

    @Override
    public int read() throws IOException {
      header();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      header();
      return in.read(b, off, len);
    }
  }

  private PacketConn listenPacketDirect(Metadata metadata) throws IOException {
    if (packetEncoding.equals("xudp")) {
      return new Xudp(
          stream(open(VmessHeader.MUX, Xudp.DESTINATION)), metadata.destination(), true);
    }
    if (packetEncoding.equals("packetaddr")) {
      return new PacketAddr(
          udp(open(VmessHeader.UDP, PacketAddr.DESTINATION), PacketAddr.DESTINATION));
    }
    return udp(open(VmessHeader.UDP, metadata.destination()), metadata.destination());
  }

  private static PacketConn udp(Session s, Destination destination) {
    Conn c = s.conn();
    return new VmessPacketConn(
        c,
        new ChunkReader(new AfterResponseHeader(s), s.response()),
        new ChunkWriter(c.out(), s.request()),
        destination);
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
    return "vmess";
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
