package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Outbound UDP: every datagram sealed to the server, every reply opened; bad replies dropped. */
final class ClientPacketConn implements PacketConn {
  private static final Logger LOG = LoggerFactory.getLogger(ClientPacketConn.class);
  private final PacketConn carrier;
  private final Destination server;
  private final UdpClientCodec codec;
  private final byte[] buf = new byte[65535];

  ClientPacketConn(PacketConn carrier, Destination server, UdpClientCodec codec) {
    this.carrier = carrier;
    this.server = server;
    this.codec = codec;
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (buf) {
      while (true) {
        ByteBuffer b = ByteBuffer.wrap(buf);
        carrier.receive(b);
        try {
          return codec.open(buf, b.position(), into);
        } catch (ShadowsocksException e) {
          LOG.debug("shadowsocks udp reply dropped: {}", e.getMessage());
        }
      }
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    carrier.send(ByteBuffer.wrap(codec.seal(to, from)), server);
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    carrier.setReadTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    carrier.close();
  }
}
