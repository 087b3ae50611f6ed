package dev.umbra.proxy.socks;

import dev.umbra.core.adapter.RejectedException;
import dev.umbra.core.net.Destination;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** SOCKS5 (RFC 1928, RFC 1929) constants and message encoding. */
public final class Socks5 {
  public static final int VERSION = 5;
  public static final int AUTH_NONE = 0;
  public static final int AUTH_PASSWORD = 2;
  public static final int AUTH_NO_ACCEPTABLE = 0xff;
  public static final int CMD_CONNECT = 1;
  public static final int CMD_BIND = 2;
  public static final int CMD_UDP_ASSOCIATE = 3;

  public static final int REP_SUCCEEDED = 0;
  public static final int REP_GENERAL_FAILURE = 1;
  public static final int REP_NOT_ALLOWED = 2;
  public static final int REP_NETWORK_UNREACHABLE = 3;
  public static final int REP_HOST_UNREACHABLE = 4;
  public static final int REP_CONNECTION_REFUSED = 5;
  public static final int REP_TTL_EXPIRED = 6;
  public static final int REP_COMMAND_NOT_SUPPORTED = 7;

  private Socks5() {}

  /** The reply code that tells a client why its request failed. */
  public static int replyFor(Exception e) {
    return switch (e) {
      case RejectedException r -> REP_NOT_ALLOWED;
      case ConnectException c -> REP_CONNECTION_REFUSED;
      case NoRouteToHostException n -> REP_HOST_UNREACHABLE;
      case UnknownHostException u -> REP_HOST_UNREACHABLE;
      case SocketTimeoutException t -> REP_TTL_EXPIRED;
      default -> REP_GENERAL_FAILURE;
    };
  }

  /** A reply: VER REP RSV ATYP BND.ADDR BND.PORT. */
  public static byte[] reply(int code, Destination bound) {
    ByteBuffer b = ByteBuffer.allocate(3 + SocksAddress.length(bound));
    b.put((byte) VERSION).put((byte) code).put((byte) 0);
    SocksAddress.write(b, bound);
    return b.array();
  }

  /** The UDP request header in front of each datagram: RSV RSV FRAG ATYP ADDR PORT. */
  public static int udpHeaderLength(Destination d) {
    return 3 + SocksAddress.length(d);
  }

  public static void writeUdpHeader(ByteBuffer b, Destination d) {
    b.put((byte) 0).put((byte) 0).put((byte) 0);
    SocksAddress.write(b, d);
  }

  /**
   * Reads a UDP header; leaves {@code b} positioned at the payload.
   *
   * @throws SocksException for fragments (unsupported, as in most servers) or bad headers
   */
  public static Destination readUdpHeader(ByteBuffer b) throws SocksException {
    if (b.remaining() < 4) {
      throw new SocksException("short UDP header");
    }
    b.get();
    b.get();
    int frag = b.get() & 0xff;
    if (frag != 0) {
      throw new SocksException("fragmented UDP datagram (FRAG=" + frag + ") is not supported");
    }
    return SocksAddress.read(b);
  }

  static IOException unexpectedVersion(int v) {
    return new SocksException("unexpected SOCKS version " + v);
  }
}
