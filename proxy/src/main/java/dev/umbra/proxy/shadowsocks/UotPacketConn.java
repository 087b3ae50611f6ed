package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Datagrams framed on a stream (UdpOverTcp), for the client and the server side alike. A connected
 * stream ({@code fixed} set) carries no addresses: every packet goes to and comes from {@code
 * fixed}.
 */
final class UotPacketConn implements PacketConn {
  private final Conn stream;
  private final DataInputStream in;
  private final Destination fixed;
  private final Duration idleTimeout;

  UotPacketConn(Conn stream, Destination fixed, Duration idleTimeout) {
    this.stream = stream;
    this.in = new DataInputStream(stream.in());
    this.fixed = fixed;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (in) {
      Destination from;
      if (fixed != null) {
        from = fixed;
      } else {
        from = UdpOverTcp.readAddress(in);
        if (from == null) {
          throw new EOFException("UoT stream ended");
        }
      }
      int length = in.readUnsignedShort();
      byte[] payload = new byte[length];
      in.readFully(payload);
      // A datagram longer than the buffer is cut, as a UDP socket would.
      into.put(payload, 0, Math.min(length, into.remaining()));
      return from;
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    byte[] address = fixed != null ? new byte[0] : UdpOverTcp.encodeAddress(to);
    int n = from.remaining();
    if (n > 0xffff) {
      throw new IOException("datagram of " + n + " bytes is too long for UDP over TCP");
    }
    byte[] b = new byte[address.length + 2 + n];
    System.arraycopy(address, 0, b, 0, address.length);
    b[address.length] = (byte) (n >>> 8);
    b[address.length + 1] = (byte) n;
    from.get(b, address.length + 2, n);
    synchronized (stream) {
      stream.out().write(b);
      stream.out().flush();
    }
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    stream.setReadTimeout(millis);
  }

  @Override
  public Duration idleTimeout() {
    return idleTimeout;
  }

  @Override
  public void close() throws IOException {
    stream.close();
  }
}
