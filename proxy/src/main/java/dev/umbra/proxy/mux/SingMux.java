package dev.umbra.proxy.mux;

import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.SocksAddress;
import dev.umbra.proxy.socks.SocksException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The sing-mux framing around the multiplexer (layout of sagernet/sing-mux protocol.go): the
 * session preamble {@code version protocol [padding(bool) [u16 len, len bytes]]}, each stream's
 * request {@code u16 flags, SOCKS5 address} and its response {@code u8 status [uvarint len,
 * message]}. Bytes in and out only.
 */
public final class SingMux {
  public static final int PROTOCOL_SMUX = 0;
  public static final int PROTOCOL_YAMUX = 1;
  public static final int PROTOCOL_H2MUX = 2;
  public static final int VERSION_0 = 0;
  public static final int VERSION_1 = 1;
  static final int FLAG_UDP = 1;
  static final int FLAG_ADDR = 2;
  static final int STATUS_SUCCESS = 0;
  static final int STATUS_ERROR = 1;

  /** Longest error message we accept in a stream response. */
  static final int MAX_MESSAGE = 4096;

  /** The magic destination a client dials through its protocol to start a session. */
  public static final Destination DESTINATION = new Destination.Domain("sp.mux.sing-box.arpa", 444);

  private SingMux() {}

  public static boolean isMuxDestination(Destination d) {
    return d instanceof Destination.Domain dom
        && dom.port() == DESTINATION.port()
        && dom.name().equals("sp.mux.sing-box.arpa");
  }

  /** The session preamble a client writes before the multiplexer's first bytes. */
  public record Preamble(int version, int protocol, boolean padding) {}

  /** Encodes a preamble; {@code paddingLength} bytes of zeros follow when padding is on. */
  public static byte[] encode(Preamble p, int paddingLength) {
    boolean v1 = p.version() == VERSION_1;
    int len = 2 + (v1 ? 1 + (p.padding() ? 2 + paddingLength : 0) : 0);
    ByteBuffer b = ByteBuffer.allocate(len);
    b.put((byte) p.version()).put((byte) p.protocol());
    if (v1) {
      b.put((byte) (p.padding() ? 1 : 0));
      if (p.padding()) {
        b.putShort((short) paddingLength);
      }
    }
    return b.array();
  }

  public static Preamble readPreamble(DataInputStream in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != VERSION_0 && version != VERSION_1) {
      throw new ProtocolException("sing-mux: unsupported version " + version);
    }
    int protocol = in.readUnsignedByte();
    boolean padding = false;
    if (version == VERSION_1) {
      int flag = in.readUnsignedByte();
      padding = flag != 0;
      if (padding) {
        in.skipNBytes(in.readUnsignedShort());
      }
    }
    return new Preamble(version, protocol, padding);
  }

  /** A stream's request: TCP or UDP, and with {@code packetAddr} an address on every datagram. */
  public record StreamRequest(boolean udp, boolean packetAddr, Destination destination) {}

  public static byte[] encode(StreamRequest r) {
    Destination d = r.destination() == null ? DESTINATION : r.destination();
    int flags = (r.udp() ? FLAG_UDP : 0) | (r.packetAddr() ? FLAG_ADDR : 0);
    ByteBuffer b = ByteBuffer.allocate(2 + SocksAddress.length(d));
    b.putShort((short) flags);
    SocksAddress.write(b, d);
    return b.array();
  }

  public static StreamRequest readStreamRequest(DataInputStream in) throws IOException {
    int flags = in.readUnsignedShort();
    Destination d;
    try {
      d = SocksAddress.read(in);
    } catch (SocksException | java.net.UnknownHostException e) {
      throw new ProtocolException("sing-mux: bad stream destination: " + e.getMessage());
    }
    boolean udp = (flags & FLAG_UDP) != 0;
    return new StreamRequest(udp, udp && (flags & FLAG_ADDR) != 0, d);
  }

  public static byte[] success() {
    return new byte[] {STATUS_SUCCESS};
  }

  /** An error response: status 1, then the message as a uvarint-length string. */
  public static byte[] error(String message) {
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    if (m.length > MAX_MESSAGE) {
      m = java.util.Arrays.copyOf(m, MAX_MESSAGE);
    }
    ByteBuffer b = ByteBuffer.allocate(1 + 5 + m.length);
    b.put((byte) STATUS_ERROR);
    long v = m.length;
    while (v >= 0x80) {
      b.put((byte) (v | 0x80));
      v >>>= 7;
    }
    b.put((byte) v);
    b.put(m);
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  /** Reads a stream response; an error status becomes an IOException with the peer's message. */
  public static void readResponse(DataInputStream in) throws IOException {
    int status = in.readUnsignedByte();
    if (status == STATUS_SUCCESS) {
      return;
    }
    if (status != STATUS_ERROR) {
      throw new ProtocolException("sing-mux: unknown stream status " + status);
    }
    long len = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift > 28) {
        throw new ProtocolException("sing-mux: error message length overflows");
      }
      int c = in.readUnsignedByte();
      len |= (long) (c & 0x7f) << shift;
      if ((c & 0x80) == 0) {
        break;
      }
    }
    if (len > MAX_MESSAGE) {
      throw new ProtocolException("sing-mux: error message of " + len + " bytes");
    }
    byte[] m = new byte[(int) len];
    in.readFully(m);
    throw new IOException("remote error: " + new String(m, StandardCharsets.UTF_8));
  }

  /** Reads a SOCKS5 address (the per-datagram address of packet-addr streams). */
  static Destination readAddress(DataInputStream in) throws IOException {
    try {
      return SocksAddress.read(in);
    } catch (SocksException | java.net.UnknownHostException e) {
      throw new ProtocolException("sing-mux: bad datagram address: " + e.getMessage());
    } catch (EOFException e) {
      throw e;
    }
  }
}
