package dev.umbra.proxy.vless;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.ByteBuffer;

/**
 * XUDP (Xray-core common/xudp, sagernet/sing-vmess xudp.go): UDP as Mux.Cool session 0 over a
 * VMess/VLESS stream with the Mux command to {@code v1.mux.cool:666}. Each frame is {@code u16
 * meta_len, meta, [u16 data_len, data]} with meta {@code session_id(u16)=0 status option
 * network(2=UDP) port(u16 BE) type(1 IPv4, 2 domain, 3 IPv6) address [global_id(8)]}: the first
 * frame is New, later ones Keep, each naming its datagram's address; End ends the association.
 */
public final class Xudp implements PacketConn {
  public static final Destination DESTINATION = new Destination.Domain("v1.mux.cool", 666);
  static final int NEW = 1;
  static final int KEEP = 2;
  static final int END = 3;
  static final int KEEP_ALIVE = 4;
  static final int OPTION_DATA = 1;
  static final int OPTION_ERROR = 2;
  static final int NETWORK_UDP = 2;

  /** Longest metadata accepted (a 255-byte domain and a global ID fit). */
  static final int MAX_META = 512;

  private final Conn stream;
  private final DataInputStream in;
  private final OutputStream out;
  private final Destination fallback;
  private final boolean client;
  private final byte[] receiveBuf = new byte[65535];
  private final Object receiveLock = new Object();
  private boolean sentNew;
  private Destination pendingFrom;
  private int pendingLength = -1;

  /**
   * @param fallback the destination of Keep frames without an address
   * @param client whether we open the session (our first frame is New)
   */
  public Xudp(Conn stream, Destination fallback, boolean client) {
    this.stream = stream;
    this.in = new DataInputStream(stream.in());
    this.out = stream.out();
    this.fallback = fallback;
    this.client = client;
    this.sentNew = !client;
  }

  /** One frame carrying a datagram to or from {@code d}. */
  public static byte[] frame(int status, Destination d, byte[] b, int off, int len) {
    int addr = VAddress.length(d);
    ByteBuffer f = ByteBuffer.allocate(2 + 5 + addr + 2 + len);
    f.putShort((short) (5 + addr)).putShort((short) 0).put((byte) status);
    f.put((byte) OPTION_DATA).put((byte) NETWORK_UDP);
    VAddress.write(f, d);
    f.putShort((short) len).put(b, off, len);
    return f.array();
  }

  /** Reads frames until one carries a datagram; its length, its address stored. */
  private int nextDatagram() throws IOException {
    while (true) {
      int metaLength;
      try {
        metaLength = in.readUnsignedShort();
      } catch (EOFException e) {
        throw new EOFException("xudp stream ended");
      }
      if (metaLength < 4 || metaLength > MAX_META) {
        throw new ProtocolException("xudp: frame metadata of " + metaLength + " bytes");
      }
      byte[] meta = new byte[metaLength];
      in.readFully(meta);
      int status = meta[2] & 0xff;
      int option = meta[3] & 0xff;
      Destination from = fallback;
      switch (status) {
        case NEW, KEEP -> {
          if (metaLength > 4) {
            if ((meta[4] & 0xff) != NETWORK_UDP) {
              throw new ProtocolException("xudp: only UDP sessions are supported");
            }
            // the address; a global ID (8 bytes, Xray) may follow and is not needed here
            from = VAddress.read(ByteBuffer.wrap(meta, 5, metaLength - 5));
          } else if (status == NEW) {
            throw new ProtocolException("xudp: new frame without an address");
          }
        }
        case END -> throw new EOFException("xudp session ended by the peer");
        case KEEP_ALIVE -> {}
        default -> throw new ProtocolException("xudp: frame status " + status);
      }
      if ((option & OPTION_ERROR) != 0) {
        throw new EOFException("xudp session closed by the peer with an error");
      }
      if ((option & OPTION_DATA) == 0) {
        continue;
      }
      int length = in.readUnsignedShort();
      if (status == KEEP_ALIVE) {
        in.skipNBytes(length);
        continue;
      }
      pendingFrom = from;
      return length;
    }
  }

  /** Reads the first datagram's address (the association's first destination) ahead. */
  public Destination peekFirst() throws IOException {
    synchronized (receiveLock) {
      if (pendingLength < 0) {
        pendingLength = nextDatagram();
      }
      return pendingFrom;
    }
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (receiveLock) {
      int length = pendingLength >= 0 ? pendingLength : nextDatagram();
      pendingLength = -1;
      in.readFully(receiveBuf, 0, length);
      into.put(receiveBuf, 0, Math.min(length, into.remaining()));
      return pendingFrom;
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    int n = from.remaining();
    byte[] b = new byte[n];
    from.get(b);
    synchronized (out) {
      int status = sentNew ? KEEP : NEW;
      sentNew = true;
      out.write(frame(status, to == null ? fallback : to, b, 0, n));
      out.flush();
    }
  }

  boolean isClient() {
    return client;
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    stream.setReadTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    stream.close();
  }
}
