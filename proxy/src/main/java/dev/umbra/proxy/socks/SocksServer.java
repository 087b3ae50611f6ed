package dev.umbra.proxy.socks;

import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.proxy.auth.Users;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of SOCKS4, 4a and 5 on one accepted connection: reads the handshake and hands the
 * request to the router. Shared by the {@code socks} and {@code mixed} inbounds.
 */
public final class SocksServer {
  private static final Logger LOG = LoggerFactory.getLogger(SocksServer.class);

  /** A slow client gets this long to finish its handshake. */
  public static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private final String tag;
  private final String type;
  private final Users users;
  private final Router router;
  private final java.time.Duration udpTimeout;

  public SocksServer(
      String tag, String type, Users users, Router router, java.time.Duration udpTimeout) {
    this.udpTimeout = udpTimeout;
    this.tag = tag;
    this.type = type;
    this.users = users;
    this.router = router;
  }

  /**
   * Serves one connection whose first byte (the version) was already read.
   *
   * @param local the address the client connected to (the UDP relay binds there)
   */
  public void serve(int version, Conn conn, InetSocketAddress source, InetAddress local)
      throws IOException {
    conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
    DataInputStream in = new DataInputStream(conn.in());
    switch (version) {
      case Socks5.VERSION -> serve5(in, conn, source, local);
      case Socks4.VERSION -> serve4(in, conn, source);
      default -> throw Socks5.unexpectedVersion(version);
    }
  }

  private void serve4(DataInputStream in, Conn conn, InetSocketAddress source) throws IOException {
    Socks4.Request request = Socks4.readRequest(in);
    OutputStream out = conn.out();
    if (users.required()) {
      // SOCKS4 carries no password; with users configured it cannot authenticate.
      out.write(Socks4.reply(Socks4.REJECTED));
      throw new SocksException("SOCKS4 request refused: authentication is required");
    }
    if (request.command() != Socks4.CMD_CONNECT) {
      out.write(Socks4.reply(Socks4.REJECTED));
      throw new SocksException("SOCKS4 command " + request.command() + " is not supported");
    }
    conn.setReadTimeout(0);
    Metadata m = Metadata.of(tag, type, Network.TCP, source, request.destination());
    router.routeConnection(
        conn,
        m,
        new Handshake() {
          @Override
          public void succeed() throws IOException {
            out.write(Socks4.reply(Socks4.GRANTED));
            out.flush();
          }

          @Override
          public void fail(Exception cause) throws IOException {
            out.write(Socks4.reply(Socks4.REJECTED));
            out.flush();
          }
        });
  }

  private void serve5(DataInputStream in, Conn conn, InetSocketAddress source, InetAddress local)
      throws IOException {
    OutputStream out = conn.out();
    int count = in.readUnsignedByte();
    if (count == 0) {
      throw new SocksException("no authentication methods offered");
    }
    byte[] methods = new byte[count];
    in.readFully(methods);
    int wanted = users.required() ? Socks5.AUTH_PASSWORD : Socks5.AUTH_NONE;
    boolean offered = false;
    for (byte b : methods) {
      offered |= (b & 0xff) == wanted;
    }
    if (!offered) {
      out.write(new byte[] {Socks5.VERSION, (byte) Socks5.AUTH_NO_ACCEPTABLE});
      out.flush();
      throw new SocksException("client offered no acceptable authentication method");
    }
    out.write(new byte[] {Socks5.VERSION, (byte) wanted});
    out.flush();
    String user = null;
    if (wanted == Socks5.AUTH_PASSWORD) {
      int v = in.readUnsignedByte();
      if (v != 1) {
        throw new SocksException("unexpected auth version " + v);
      }
      byte[] name = new byte[in.readUnsignedByte()];
      in.readFully(name);
      byte[] pass = new byte[in.readUnsignedByte()];
      in.readFully(pass);
      user = users.authenticate(name, pass);
      Arrays.fill(pass, (byte) 0);
      out.write(new byte[] {1, (byte) (user == null ? 1 : 0)});
      out.flush();
      if (user == null) {
        throw new SocksException("authentication failed");
      }
    }
    int v = in.readUnsignedByte();
    if (v != Socks5.VERSION) {
      throw Socks5.unexpectedVersion(v);
    }
    int command = in.readUnsignedByte();
    in.readUnsignedByte();
    Destination destination = SocksAddress.read(in);
    conn.setReadTimeout(0);
    Destination unbound = new Destination.Ip(InetAddress.getByAddress(new byte[4]), 0);
    switch (command) {
      case Socks5.CMD_CONNECT -> {
        Metadata m = Metadata.of(tag, type, Network.TCP, source, destination).withUser(user);
        router.routeConnection(
            conn,
            m,
            new Handshake() {
              @Override
              public void succeed() throws IOException {
                out.write(Socks5.reply(Socks5.REP_SUCCEEDED, unbound));
                out.flush();
              }

              @Override
              public void fail(Exception cause) throws IOException {
                out.write(Socks5.reply(Socks5.replyFor(cause), unbound));
                out.flush();
              }
            });
      }
      case Socks5.CMD_UDP_ASSOCIATE -> associate(conn, source, local, destination, user);
      default -> {
        out.write(Socks5.reply(Socks5.REP_COMMAND_NOT_SUPPORTED, unbound));
        out.flush();
        throw new SocksException("SOCKS5 command " + command + " is not supported");
      }
    }
  }

  private void associate(
      Conn conn, InetSocketAddress source, InetAddress local, Destination requested, String user)
      throws IOException {
    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(local, 0));
    SocksUdpAssociation association = new SocksUdpAssociation(udp, source.getAddress(), udpTimeout);
    Destination bound = new Destination.Ip(local, udp.getLocalPort());
    conn.out().write(Socks5.reply(Socks5.REP_SUCCEEDED, bound));
    conn.out().flush();
    LOG.debug("[{}] {} udp associate on {}", tag, source, bound);
    // The association lives as long as the TCP connection: watch it on its own thread.
    Thread watcher =
        Thread.ofVirtual()
            .start(() -> {
              try {
                byte[] sink = new byte[512];
                while (conn.in().read(sink) >= 0) {
                  // a client has nothing to say on the control connection; ignore it
                }
              } catch (IOException ignored) {
                // connection gone: end the association
              } finally {
                association.close();
              }
            });
    try {
      Destination first = association.awaitFirstDestination();
      if (first == null) {
        return;
      }
      Metadata m = Metadata.of(tag, type, Network.UDP, source, first).withUser(user);
      router.routePackets(association, m, dev.umbra.core.adapter.Handshake.NONE);
    } finally {
      association.close();
      conn.close();
      watcher.interrupt();
    }
    if (requested.port() != 0) {
      LOG.trace("[{}] client announced udp source {}", tag, requested);
    }
  }
}
