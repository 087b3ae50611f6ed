package dev.umbra.proxy.socks;

import dev.umbra.core.adapter.RejectedException;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The client side of the SOCKS handshakes, over an already connected {@link Conn}. */
public final class SocksClient {
  private SocksClient() {}

  /** SOCKS5 greeting, optional password auth and a request; returns the reply's bound address. */
  public static Destination handshake5(
      Conn conn, int command, Destination target, String username, String password)
      throws IOException {
    OutputStream out = conn.out();
    DataInputStream in = new DataInputStream(conn.in());
    boolean auth = username != null;
    out.write(
        auth
            ? new byte[] {Socks5.VERSION, 1, (byte) Socks5.AUTH_PASSWORD}
            : new byte[] {Socks5.VERSION, 1, (byte) Socks5.AUTH_NONE});
    out.flush();
    int v = in.readUnsignedByte();
    int method = in.readUnsignedByte();
    if (v != Socks5.VERSION) {
      throw Socks5.unexpectedVersion(v);
    }
    if (method == Socks5.AUTH_PASSWORD) {
      if (!auth) {
        throw new SocksException("server requires a username and password");
      }
      byte[] u = username.getBytes(StandardCharsets.UTF_8);
      byte[] p = (password == null ? "" : password).getBytes(StandardCharsets.UTF_8);
      if (u.length > 255 || p.length > 255) {
        throw new SocksException("username or password longer than 255 bytes");
      }
      ByteBuffer b = ByteBuffer.allocate(3 + u.length + p.length);
      b.put((byte) 1).put((byte) u.length).put(u).put((byte) p.length).put(p);
      out.write(b.array());
      out.flush();
      int av = in.readUnsignedByte();
      int status = in.readUnsignedByte();
      if (av != 1 || status != 0) {
        throw new SocksException("server rejected the username or password");
      }
    } else if (method != Socks5.AUTH_NONE) {
      throw new SocksException("server accepted no offered authentication method");
    }
    byte[] addr = SocksAddress.encode(target);
    ByteBuffer req = ByteBuffer.allocate(3 + addr.length);
    req.put((byte) Socks5.VERSION).put((byte) command).put((byte) 0).put(addr);
    out.write(req.array());
    out.flush();
    int rv = in.readUnsignedByte();
    int rep = in.readUnsignedByte();
    in.readUnsignedByte();
    if (rv != Socks5.VERSION) {
      throw Socks5.unexpectedVersion(rv);
    }
    Destination bound = SocksAddress.read(in);
    if (rep != Socks5.REP_SUCCEEDED) {
      throw failure(rep, target);
    }
    return bound;
  }

  private static IOException failure(int rep, Destination target) {
    String what = "SOCKS5 server refused " + target + " (reply " + rep + ")";
    return switch (rep) {
      case Socks5.REP_NOT_ALLOWED -> new RejectedException(what);
      case Socks5.REP_CONNECTION_REFUSED -> new ConnectException(what);
      case Socks5.REP_HOST_UNREACHABLE, Socks5.REP_NETWORK_UNREACHABLE ->
          new java.net.NoRouteToHostException(what);
      default -> new IOException(what);
    };
  }

  /** SOCKS4 or 4a CONNECT. */
  public static void handshake4(Conn conn, Destination target, boolean v4a, String userId)
      throws IOException {
    byte[] request;
    try {
      request = Socks4.request(target, v4a, userId);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    conn.out().write(request);
    conn.out().flush();
    DataInputStream in = new DataInputStream(conn.in());
    byte[] reply = new byte[8];
    in.readFully(reply);
    if ((reply[1] & 0xff) != Socks4.GRANTED) {
      throw new ConnectException(
          "SOCKS4 server refused " + target + " (reply " + (reply[1] & 0xff) + ")");
    }
  }
}
