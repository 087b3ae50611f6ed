package dev.umbra.core.dial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.DatagramPacketConn;
import dev.umbra.core.net.Destination;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResolvingPacketConnTest {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  /** Echoes one datagram back to its sender. */
  static Thread echoOnce(DatagramSocket server) {
    return Thread.ofVirtual()
        .start(() -> {
          try {
            DatagramPacket p = new DatagramPacket(new byte[512], 512);
            server.receive(p);
            server.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
          } catch (IOException e) {
            // closed by the test
          }
        });
  }

  @Test
  void domainsAreResolvedOnceAndAnswersComeBackUnderTheDomain() throws Exception {
    List<String> asked = new ArrayList<>();
    try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        ResolvingPacketConn conn =
            new ResolvingPacketConn(
                new DatagramPacketConn(new DatagramSocket()),
                d -> {
                  asked.add(d.name());
                  return LOOPBACK;
                })) {
      conn.setReadTimeout(5_000);
      Destination.Domain echo = new Destination.Domain("echo.test", server.getLocalPort());
      for (int i = 0; i < 2; i++) {
        Thread t = echoOnce(server);
        conn.send(ByteBuffer.wrap(("hello" + i).getBytes(StandardCharsets.US_ASCII)), echo);
        ByteBuffer in = ByteBuffer.allocate(64);
        assertThat(conn.receive(in)).isEqualTo(echo);
        assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII))
            .isEqualTo("hello" + i);
        t.join(5_000);
      }
      assertThat(asked).containsExactly("echo.test");
    }
  }

  @Test
  void aRememberedAddressIsUsedWithoutAskingAndUnknownNamesFailTheSendOnly() throws Exception {
    try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        ResolvingPacketConn conn =
            new ResolvingPacketConn(
                new DatagramPacketConn(new DatagramSocket()),
                d -> {
                  throw new UnknownHostException("cannot resolve " + d.name());
                })) {
      conn.setReadTimeout(5_000);
      Destination.Domain known = new Destination.Domain("known.test", server.getLocalPort());
      conn.remember(known, LOOPBACK);
      assertThatThrownBy(
              () -> conn.send(ByteBuffer.wrap(new byte[] {1}), new Destination.Domain("x.test", 9)))
          .isInstanceOf(UnknownHostException.class);
      Thread t = echoOnce(server);
      conn.send(ByteBuffer.wrap(new byte[] {7}), known);
      ByteBuffer in = ByteBuffer.allocate(8);
      assertThat(conn.receive(in)).isEqualTo(known);
      t.join(5_000);
    }
  }

  @Test
  void theNameTableIsBounded() throws Exception {
    List<String> asked = new ArrayList<>();
    try (DatagramSocket sink = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        ResolvingPacketConn conn =
            new ResolvingPacketConn(
                new DatagramPacketConn(new DatagramSocket()),
                d -> {
                  asked.add(d.name());
                  return LOOPBACK;
                })) {
      int port = sink.getLocalPort();
      for (int i = 0; i <= ResolvingPacketConn.MAX_DOMAINS; i++) {
        conn.send(ByteBuffer.wrap(new byte[] {1}), new Destination.Domain("n" + i + ".test", port));
      }
      // n0 was the least recently used and is forgotten: asked again
      conn.send(ByteBuffer.wrap(new byte[] {1}), new Destination.Domain("n0.test", port));
      assertThat(asked).hasSize(ResolvingPacketConn.MAX_DOMAINS + 2);
      assertThat(asked.getLast()).isEqualTo("n0.test");
    }
  }
}
