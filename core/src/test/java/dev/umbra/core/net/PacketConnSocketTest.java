package dev.umbra.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The DatagramSocket over a PacketConn: sends go to the one peer, answers from anyone else are
 * dropped, kept ones carry the stamp address, a peer named by domain matches by port, and closing
 * the socket closes the connection.
 */
class PacketConnSocketTest {
  private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
  private static final InetSocketAddress STAMP =
      new InetSocketAddress(InetAddress.ofLiteral("192.0.2.7"), 4433);

  private static DatagramSocket bound() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    s.setSoTimeout(5_000);
    return s;
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void sendFrom(DatagramSocket from, String payload, int port) throws IOException {
    byte[] b = text(payload);
    from.send(new DatagramPacket(b, b.length, new InetSocketAddress(LOOPBACK, port)));
  }

  @Test
  void talksToThePeerOnlyAndStampsAnswers() throws Exception {
    try (DatagramSocket peer = bound();
        DatagramSocket stranger = bound();
        DatagramSocket local = bound();
        PacketConnSocket s =
            new PacketConnSocket(
                new DatagramPacketConn(local),
                new Destination.Ip(LOOPBACK, peer.getLocalPort()),
                STAMP)) {
      byte[] hello = text("hello");
      // offset and length of the packet are honoured
      byte[] framed = new byte[hello.length + 4];
      System.arraycopy(hello, 0, framed, 2, hello.length);
      s.send(new DatagramPacket(framed, 2, hello.length, new InetSocketAddress(0)));
      DatagramPacket got = new DatagramPacket(new byte[100], 100);
      peer.receive(got);
      assertThat(new String(got.getData(), 0, got.getLength(), StandardCharsets.US_ASCII))
          .isEqualTo("hello");

      sendFrom(stranger, "noise", local.getLocalPort());
      sendFrom(peer, "answer", local.getLocalPort());
      DatagramPacket in = new DatagramPacket(new byte[100], 10, 90);
      s.receive(in);
      assertThat(new String(in.getData(), 10, in.getLength(), StandardCharsets.US_ASCII))
          .isEqualTo("answer");
      assertThat(in.getSocketAddress()).isEqualTo(STAMP);
    }
  }

  @Test
  void aPeerNamedByDomainMatchesByPort() throws Exception {
    try (DatagramSocket peer = bound();
        DatagramSocket otherPort = bound();
        DatagramSocket local = bound();
        PacketConnSocket s =
            new PacketConnSocket(
                new DatagramPacketConn(local),
                new Destination.Domain("localhost", peer.getLocalPort()),
                STAMP)) {
      sendFrom(otherPort, "noise", local.getLocalPort());
      sendFrom(peer, "named", local.getLocalPort());
      DatagramPacket in = new DatagramPacket(new byte[100], 100);
      s.receive(in);
      assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII))
          .isEqualTo("named");
    }
  }

  @Test
  void closingTheSocketClosesTheConnectionAndTimeoutsReachIt() throws Exception {
    try (DatagramSocket peer = bound()) {
      DatagramSocket local = bound();
      PacketConnSocket s =
          new PacketConnSocket(
              new DatagramPacketConn(local),
              new Destination.Ip(LOOPBACK, peer.getLocalPort()),
              STAMP);
      s.setSoTimeout(50);
      assertThatThrownBy(() -> s.receive(new DatagramPacket(new byte[10], 10)))
          .isInstanceOf(SocketTimeoutException.class);
      s.close();
      assertThat(local.isClosed()).isTrue();
      assertThat(s.isClosed()).isTrue();
    }
  }

  @Test
  void aFailedOpenIsASocketExceptionWithItsCause() {
    IOException refused = new IOException("detour refused UDP");
    assertThatThrownBy(() ->
            PacketConnSocket.open(
                peer -> {
                  throw refused;
                },
                new Destination.Ip(LOOPBACK, 9),
                STAMP))
        .isInstanceOf(java.net.SocketException.class)
        .hasMessageContaining("detour refused UDP")
        .hasCause(refused);
  }
}
