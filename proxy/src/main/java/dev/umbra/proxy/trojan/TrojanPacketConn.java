package dev.umbra.proxy.trojan;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import dev.umbra.proxy.socks.SocksAddress;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;

/**
 * Datagrams carried in a Trojan stream (UDP ASSOCIATE): each frame names an address (the
 * destination going out, the source coming back). Used by both the client and the server.
 */
final class TrojanPacketConn implements PacketConn {
  private static final int MAX_FRAME = 259 + 2 + 2 + 65535;
  private final Conn stream;
  private final DataInputStream in;
  private final ByteBuffer sendBuf = ByteBuffer.allocate(MAX_FRAME);
  private final byte[] receiveBuf = new byte[65535];
  private final Object receiveLock = new Object();

  TrojanPacketConn(Conn stream) {
    this.stream = stream;
    this.in = new DataInputStream(stream.in());
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (receiveLock) {
      Destination address = SocksAddress.read(in);
      int length = in.readUnsignedShort();
      if (in.readUnsignedByte() != '\r' || in.readUnsignedByte() != '\n') {
        throw new ProtocolException("trojan UDP frame without CRLF");
      }
      in.readFully(receiveBuf, 0, length);
      into.put(receiveBuf, 0, Math.min(length, into.remaining()));
      return address;
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    synchronized (sendBuf) {
      if (from.remaining() > 65535) {
        throw new IOException("datagram too large for trojan: " + from.remaining());
      }
      sendBuf.clear();
      Trojan.writePacket(sendBuf, to, from);
      stream.out().write(sendBuf.array(), 0, sendBuf.position());
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
