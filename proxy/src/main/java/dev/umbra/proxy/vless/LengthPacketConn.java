package dev.umbra.proxy.vless;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * UDP to one destination over a stream, each datagram prefixed by its u16 length (VLESS UDP, VMess
 * UDP inside its chunks). Datagrams always come from, and go to, the association's destination.
 */
public final class LengthPacketConn implements PacketConn {
  private final Conn stream;
  private final DataInputStream in;
  private final Destination destination;
  private final byte[] receiveBuf = new byte[65535];
  private final byte[] sendBuf = new byte[2 + 65535];
  private final Object receiveLock = new Object();

  public LengthPacketConn(Conn stream, Destination destination) {
    this.stream = stream;
    this.in = new DataInputStream(stream.in());
    this.destination = destination;
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (receiveLock) {
      int length = in.readUnsignedShort();
      in.readFully(receiveBuf, 0, length);
      into.put(receiveBuf, 0, Math.min(length, into.remaining()));
      return destination;
    }
  }

  /** Sends to the association's destination; {@code to} can be nothing else in this encoding. */
  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    synchronized (sendBuf) {
      int n = from.remaining();
      if (n > 65535) {
        throw new IOException("datagram too large: " + n);
      }
      sendBuf[0] = (byte) (n >> 8);
      sendBuf[1] = (byte) n;
      from.get(sendBuf, 2, n);
      stream.out().write(sendBuf, 0, 2 + n);
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
