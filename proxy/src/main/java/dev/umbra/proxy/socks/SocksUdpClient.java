package dev.umbra.proxy.socks;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The client side of a SOCKS5 UDP association: each datagram to the relay carries a header naming
 * its destination. Lives as long as its TCP control connection.
 */
final class SocksUdpClient implements PacketConn {
  private final Conn control;
  private final PacketConn udp;
  private final Destination relay;
  private final ByteBuffer sendBuf = ByteBuffer.allocate(65535 + 262);
  private final ByteBuffer receiveBuf = ByteBuffer.allocate(65535);

  SocksUdpClient(Conn control, PacketConn udp, Destination relay) {
    this.control = control;
    this.udp = udp;
    this.relay = relay;
    Thread.ofVirtual()
        .start(() -> {
          try {
            byte[] sink = new byte[256];
            while (control.in().read(sink) >= 0) {
              // the server says nothing on the control connection
            }
          } catch (IOException ignored) {
            // control connection gone
          } finally {
            close();
          }
        });
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (receiveBuf) {
      while (true) {
        receiveBuf.clear();
        udp.receive(receiveBuf);
        receiveBuf.flip();
        try {
          Destination from = Socks5.readUdpHeader(receiveBuf);
          into.put(receiveBuf);
          return from;
        } catch (SocksException e) {
          // a malformed datagram from the relay is dropped, the association goes on
        }
      }
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    synchronized (sendBuf) {
      sendBuf.clear();
      Socks5.writeUdpHeader(sendBuf, to);
      if (from.remaining() > sendBuf.remaining()) {
        throw new IOException("datagram too large");
      }
      sendBuf.put(from);
      sendBuf.flip();
      udp.send(sendBuf, relay);
    }
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    udp.setReadTimeout(millis);
  }

  @Override
  public void close() {
    try {
      udp.close();
    } catch (IOException ignored) {
      // best effort
    }
    try {
      control.close();
    } catch (IOException ignored) {
      // best effort
    }
  }
}
