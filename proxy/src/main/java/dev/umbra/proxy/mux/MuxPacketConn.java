package dev.umbra.proxy.mux;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import dev.umbra.proxy.socks.SocksAddress;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * UDP inside a sing-mux stream: datagrams as {@code u16 length, payload}, each preceded by a SOCKS5
 * address in packet-addr streams ({@code fixed == null}); otherwise every datagram belongs to the
 * stream's one destination.
 */
final class MuxPacketConn implements PacketConn {
  private final Conn stream;
  private final DataInputStream in;
  private final Destination fixed;
  private final byte[] receiveBuf = new byte[65535];
  private final Object sendLock = new Object();
  private final Object receiveLock = new Object();

  MuxPacketConn(Conn stream, InputStream in, Destination fixed) {
    this.stream = stream;
    this.in = new DataInputStream(in);
    this.fixed = fixed;
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (receiveLock) {
      Destination from = fixed == null ? SingMux.readAddress(in) : fixed;
      int length = in.readUnsignedShort();
      in.readFully(receiveBuf, 0, length);
      into.put(receiveBuf, 0, Math.min(length, into.remaining()));
      return from;
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    int n = from.remaining();
    if (n > 65535) {
      throw new IOException("datagram too large: " + n);
    }
    Destination d = to == null ? fixed : to;
    int addr = fixed == null ? SocksAddress.length(d) : 0;
    ByteBuffer b = ByteBuffer.allocate(addr + 2 + n);
    if (fixed == null) {
      SocksAddress.write(b, d);
    }
    b.putShort((short) n).put(from);
    synchronized (sendLock) {
      stream.out().write(b.array(), 0, b.position());
      stream.out().flush();
    }
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
