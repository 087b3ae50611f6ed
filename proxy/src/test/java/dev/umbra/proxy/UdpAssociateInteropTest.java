package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.Socks5;
import dev.umbra.proxy.socks.SocksAddress;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.Peers;
import dev.umbra.testkit.UdpEcho;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SOCKS5 UDP ASSOCIATE through Umbra to a UDP echo, directly and via dante's UDP relay. */
@Tag("interop")
class UdpAssociateInteropTest {
  @TempDir Path dir;

  /** A minimal RFC 1928 UDP client, written independently of the code under test. */
  private static String roundTrip(int socksPort, int echoPort, String message) throws Exception {
    try (Socket control = new Socket(InetAddress.getLoopbackAddress(), socksPort);
        DatagramSocket udp =
            new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      control.setSoTimeout(5000);
      udp.setSoTimeout(5000);
      OutputStream out = control.getOutputStream();
      DataInputStream in = new DataInputStream(control.getInputStream());
      out.write(new byte[] {5, 1, 0});
      assertThat(in.readUnsignedByte()).isEqualTo(5);
      assertThat(in.readUnsignedByte()).isZero();
      out.write(new byte[] {5, 3, 0, 1, 0, 0, 0, 0, 0, 0});
      assertThat(in.readUnsignedByte()).isEqualTo(5);
      assertThat(in.readUnsignedByte()).isZero();
      in.readUnsignedByte();
      Destination relay = SocksAddress.read(in);
      byte[] payload = message.getBytes(StandardCharsets.UTF_8);
      Destination target = new Destination.Ip(InetAddress.getLoopbackAddress(), echoPort);
      ByteBuffer b = ByteBuffer.allocate(Socks5.udpHeaderLength(target) + payload.length);
      Socks5.writeUdpHeader(b, target);
      b.put(payload);
      udp.send(
          new DatagramPacket(
              b.array(), b.position(), InetAddress.getLoopbackAddress(), relay.port()));
      DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
      udp.receive(reply);
      ByteBuffer r = ByteBuffer.wrap(reply.getData(), 0, reply.getLength());
      Destination from = Socks5.readUdpHeader(r);
      assertThat(from.port()).isEqualTo(echoPort);
      byte[] got = Arrays.copyOfRange(r.array(), r.position(), r.limit());
      return new String(got, StandardCharsets.UTF_8);
    }
  }

  @Test
  void udpThroughSocksInboundToEcho() throws Exception {
    try (UdpEcho echo = new UdpEcho()) {
      int port = FreePort.tcp();
      try (RunningUmbra u =
          RunningUmbra.start(
              """
              {"log": {"level": "warn"},
               "inbounds": [{"type": "socks", "tag": "s", "listen": "127.0.0.1", "listen_port": %d}],
               "outbounds": [{"type": "direct", "tag": "direct"}]}
              """
                  .formatted(port))) {
        assertThat(roundTrip(port, echo.port(), "hello over udp")).isEqualTo("hello over udp");
        assertThat(roundTrip(port, echo.port(), "second association"))
            .isEqualTo("second association");
      }
    }
  }

  @Test
  void udpThroughSocksOutboundToDante() throws Exception {
    try (UdpEcho echo = new UdpEcho();
        Peers.Peer dante = Peers.dante(dir)) {
      int port = FreePort.tcp();
      try (RunningUmbra u =
          RunningUmbra.start(
              """
              {"log": {"level": "warn"},
               "inbounds": [{"type": "socks", "tag": "s", "listen": "127.0.0.1", "listen_port": %d}],
               "outbounds": [{"type": "socks", "tag": "up", "server": "127.0.0.1", "server_port": %d}]}
              """
                  .formatted(port, dante.port()))) {
        assertThat(roundTrip(port, echo.port(), "via dante")).isEqualTo("via dante");
      }
    }
  }
}
