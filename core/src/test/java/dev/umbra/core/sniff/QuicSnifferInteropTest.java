package dev.umbra.core.sniff;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Client Initials of a real QUIC stack (ngtcp2's gtlsclient, Debian ngtcp2-client). This build
 * ignores its --sni option and names the server by its host argument, "localhost".
 */
@Tag("interop")
class QuicSnifferInteropTest {

  /** The datagrams gtlsclient sends in its first flight (before any retransmission). */
  static List<ByteBuffer> firstFlight(String... extraArgs)
      throws IOException, InterruptedException {
    try (DatagramSocket server =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      List<String> cmd = new ArrayList<>(List.of("gtlsclient", "-q", "--timeout=5s"));
      cmd.addAll(Arrays.asList(extraArgs));
      cmd.addAll(List.of("localhost", Integer.toString(server.getLocalPort())));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try {
        List<ByteBuffer> out = new ArrayList<>();
        server.setSoTimeout(15_000);
        while (out.size() < 8) {
          DatagramPacket d = new DatagramPacket(new byte[65535], 65535);
          try {
            server.receive(d);
          } catch (SocketTimeoutException quiet) {
            break; // no more of the first flight; the client waits to retransmit
          }
          out.add(ByteBuffer.wrap(Arrays.copyOf(d.getData(), d.getLength())));
          server.setSoTimeout(300);
        }
        return out;
      } finally {
        p.destroy();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void singlePacketClientHello() throws Exception {
    List<ByteBuffer> flight = firstFlight();
    assertThat(flight).isNotEmpty();
    SniffOutcome o = new QuicSniffer().sniffPackets(flight.subList(0, 1));
    assertThat(o).isInstanceOf(SniffOutcome.Match.class);
    SniffResult r = ((SniffOutcome.Match) o).result();
    assertThat(r.protocol()).isEqualTo("quic");
    assertThat(r.domain()).isEqualTo("localhost");
    assertThat(r.alpn()).isNotEmpty();
  }

  @Test
  void clientHelloSplitOverTwoDatagrams() throws Exception {
    // a 1 KiB FFDHE8192 key share makes the ClientHello larger than one Initial packet
    List<ByteBuffer> flight =
        firstFlight(
            "--sni=split.example.test", "--groups=-GROUP-ALL:+GROUP-FFDHE8192:+GROUP-X25519");
    assertThat(flight.size()).isGreaterThanOrEqualTo(2);
    assertThat(new QuicSniffer().sniffPackets(flight.subList(0, 1)))
        .isEqualTo(SniffOutcome.NEED_MORE);
    SniffOutcome o = new QuicSniffer().sniffPackets(flight.subList(0, 2));
    assertThat(o).isInstanceOf(SniffOutcome.Match.class);
    assertThat(((SniffOutcome.Match) o).result().domain()).isEqualTo("localhost");
    // through the registry, as the router calls it
    assertThat(Sniffers.installed().sniffPackets(List.of(), flight.subList(0, 2))).isEqualTo(o);
  }
}
