package dev.umbra.proxy.vmess;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.InjectableInbound;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Drain;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.proxy.mux.MuxServer;
import dev.umbra.proxy.vless.PacketAddr;
import dev.umbra.proxy.vless.Uuids;
import dev.umbra.proxy.vless.Xudp;
import dev.umbra.transport.InboundListener;
import dev.umbra.transport.ServerStack;
import dev.umbra.transport.StreamConn;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VMess server, AEAD header only: the auth ID names the user (every user tried, timestamp within
 * 120 s, never twice), the sealed header the request. Failures are drained in silence.
 */
public final class VmessInbound implements InjectableInbound {
  private static final Logger LOG = LoggerFactory.getLogger(VmessInbound.class);
  static final int HANDSHAKE_TIMEOUT_MILLIS = 30_000;
  static final long TIME_WINDOW_SECONDS = 120;
  private static final int MAX_HEADER = 512;

  @SuppressWarnings("ArrayRecordComponent") // key material, never compared or printed
  private record User(String name, byte[] cmdKey) {}

  private final String tag;
  private final Router router;
  private final MuxServer mux;
  private final ServerStack stack;
  private final List<User> users;
  private final AuthIdFilter filter = new AuthIdFilter(1 << 17);
  private final InboundListener listener;

  public VmessInbound(String tag, VmessInboundOptions o, AdapterContext context) {
    this.tag = tag;
    this.router = context.router();
    this.mux = MuxServer.create(tag, o.multiplex());
    TcpListener.listenAddress(o.listen(), "");
    this.stack = ServerStack.create(tag, o.tls(), o.transport(), "");
    List<User> us = new ArrayList<>();
    for (VmessUser u : o.users()) {
      us.add(
          new User(
              u.name() == null ? "" : u.name(),
              VmessHeader.cmdKey(Uuids.parse(u.uuid(), "users"))));
    }
    this.users = List.copyOf(us);
    this.listener = InboundListener.of(tag, o.listen(), context, stack, this::handle, this::serve);
  }

  private void handle(Socket socket) throws IOException {
    serve(new SocketConn(socket), (InetSocketAddress) socket.getRemoteSocketAddress());
  }

  @Override
  public void inject(Conn conn, InetSocketAddress source) throws IOException {
    serve(conn, source);
  }

  /** The user whose key opens this auth ID within the time window, or null. */
  private User match(byte[] authId) {
    long now = System.currentTimeMillis() / 1000;
    User found = null;
    for (User u : users) {
      Long t =
          VmessHeader.authIdTime(VmessHeader.authIdCipher(u.cmdKey(), Cipher.DECRYPT_MODE), authId);
      if (t != null && Math.abs(t - now) <= TIME_WINDOW_SECONDS && found == null) {
        found = u;
      }
    }
    return found;
  }

  private void serve(Conn raw, InetSocketAddress source) throws IOException {
    raw.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
    stack.serve(raw, accepted -> serveStream(accepted.conn(), source));
  }

  /** One stream: the whole connection, or one of the streams an HTTP/2 transport carries. */
  private void serveStream(Conn conn, InetSocketAddress source) throws IOException {
    conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
    DataInputStream in = new DataInputStream(conn.in());
    User user;
    VmessHeader.Request request;
    try {
      byte[] authId = new byte[16];
      in.readFully(authId);
      user = match(authId);
      if (user == null) {
        throw new ProtocolException("no user for this auth ID (or its time is off)");
      }
      if (!filter.firstSeen(authId)) {
        throw new ProtocolException("replayed auth ID");
      }
      byte[] sealedLength = new byte[18];
      in.readFully(sealedLength);
      byte[] nonce = new byte[8];
      in.readFully(nonce);
      int length = VmessHeader.openLength(user.cmdKey(), authId, nonce, sealedLength);
      if (length > MAX_HEADER) {
        throw new ProtocolException("header length " + length);
      }
      byte[] sealed = new byte[length + 16];
      in.readFully(sealed);
      request = VmessHeader.decode(VmessHeader.openHeader(user.cmdKey(), authId, nonce, sealed));
    } catch (ProtocolException | AEADBadTagException | java.io.EOFException e) {
      LOG.debug("inbound/{}: {}: rejected: {}", tag, source, e.getMessage());
      Drain.andClose(conn);
      return;
    }
    conn.setReadTimeout(0);
    byte[] responseKey = BodyKeys.responseOf(request.bodyKey());
    byte[] responseIv = BodyKeys.responseOf(request.bodyIv());
    conn.out().write(VmessHeader.sealResponse(responseKey, responseIv, request.responseAuth()));
    boolean chunked =
        request.security() != Security.ZERO
            && (request.security().aead() || (request.options() & Options.CHUNK_STREAM) != 0);
    Metadata m =
        Metadata.of(
                tag,
                "vmess",
                request.command() == VmessHeader.TCP ? Network.TCP : Network.UDP,
                source,
                request.command() == VmessHeader.MUX ? Xudp.DESTINATION : request.destination())
            .withUser(user.name());
    LOG.debug("inbound/{}: {} user {} -> {}", tag, source, user.name(), request.destination());
    if (!chunked) {
      if (request.command() != VmessHeader.TCP) {
        LOG.debug("inbound/{}: {}: UDP needs a chunk stream", tag, source);
        conn.close();
        return;
      }
      MuxServer.route(mux, router, conn, m);
      return;
    }
    ChunkReader reader =
        new ChunkReader(
            conn.in(),
            new BodyKeys(
                request.security(),
                request.options(),
                request.bodyKey(),
                request.bodyIv(),
                request.bodyKey(),
                request.bodyIv()));
    ChunkWriter writer =
        new ChunkWriter(
            conn.out(),
            new BodyKeys(
                request.security(),
                request.options(),
                responseKey,
                responseIv,
                request.bodyKey(),
                request.bodyIv()));
    if (request.command() == VmessHeader.MUX) {
      conn.out().flush();
      Xudp xudp =
          new Xudp(new StreamConn(conn, reader, writer, writer::finish), Xudp.DESTINATION, false);
      Destination first;
      try {
        conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
        first = xudp.peekFirst();
        conn.setReadTimeout(0);
      } catch (IOException e) {
        LOG.debug("inbound/{}: {}: bad xudp session: {}", tag, source, e.toString());
        conn.close();
        return;
      }
      router.routePackets(xudp, m.withDestination(first), Handshake.NONE);
    } else if (request.command() == VmessHeader.UDP) {
      conn.out().flush();
      PacketConn packets = new VmessPacketConn(conn, reader, writer, request.destination());
      Metadata pm = m;
      if (PacketAddr.isMagic(request.destination())) {
        PacketAddr addressed = new PacketAddr(packets);
        try {
          conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
          pm = m.withDestination(addressed.peekFirst());
          conn.setReadTimeout(0);
        } catch (IOException e) {
          LOG.debug("inbound/{}: {}: bad packetaddr datagram: {}", tag, source, e.toString());
          conn.close();
          return;
        }
        packets = addressed;
      }
      router.routePackets(packets, pm, Handshake.NONE);
    } else {
      MuxServer.route(
          mux,
          router,
          new StreamConn(
              conn,
              reader,
              writer,
              // the end chunk is VMess's half-close; the carrier stays open for the other way
              writer::finish),
          m);
    }
  }

  @Override
  public void start(StartStage stage) throws IOException {
    if (stage == StartStage.START) {
      listener.start();
    }
  }

  public InetSocketAddress localAddress() {
    return listener.localAddress();
  }

  @Override
  public String type() {
    return "vmess";
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public void close() throws IOException {
    listener.close();
    if (mux != null) {
      mux.close(); // its sessions run on accepted connections, which outlive the listener
    }
  }
}
