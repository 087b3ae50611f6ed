package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sniff action on UDP flows of a direct inbound: the server name of a QUIC Initial routes the
 * flow by domain rules. Flows whose name matches go to the port "matched" listens on (a
 * route-options override); all others to the inbound's own target, "other".
 */
class QuicSniffRoutingTest {
  private static final InetAddress LO = InetAddress.getLoopbackAddress();

  private static String config(int listen, int other, int matched, String domain) {
    return """
    {"log": {"level": "warn"},
     "inbounds": [{"type": "direct", "tag": "in", "listen": "127.0.0.1", "listen_port": %d,
                   "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
     "outbounds": [{"type": "direct", "tag": "direct"}],
     "route": {"rules": [
         {"action": "sniff", "sniffer": ["quic"], "timeout": "2s"},
         {"protocol": "quic", "domain": "%s", "action": "route", "outbound": "direct",
          "override_port": %d}],
       "final": "direct"}}
    """
        .formatted(listen, other, domain, matched);
  }

  private static DatagramSocket listener() throws Exception {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(LO, 0));
    s.setSoTimeout(10_000);
    return s;
  }

  private static byte[] receive(DatagramSocket s) throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
    s.receive(p);
    return Arrays.copyOf(p.getData(), p.getLength());
  }

  private static byte[] rfcInitial() throws Exception {
    try (InputStream in =
        QuicSniffRoutingTest.class.getResourceAsStream("/quic/rfc9001-a2-client-initial.hex")) {
      return HexFormat.of()
          .parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", ""));
    }
  }

  @Test
  void quicServerNameSelectsTheRouteAndOtherFlowsDoNot() throws Exception {
    try (DatagramSocket other = listener();
        DatagramSocket matched = listener()) {
      int port = freeUdpPort();
      try (RunningUmbra u =
              RunningUmbra.start(
                  config(port, other.getLocalPort(), matched.getLocalPort(), "example.com"));
          DatagramSocket quicClient = new DatagramSocket(new InetSocketAddress(LO, 0));
          DatagramSocket plainClient = new DatagramSocket(new InetSocketAddress(LO, 0))) {
        // RFC 9001 A.2: a client Initial whose ClientHello names example.com
        byte[] initial = rfcInitial();
        quicClient.send(new DatagramPacket(initial, initial.length, LO, port));
        byte[] followUp = "after the initial".getBytes(StandardCharsets.US_ASCII);
        quicClient.send(new DatagramPacket(followUp, followUp.length, LO, port));
        assertThat(receive(matched)).isEqualTo(initial);
        assertThat(receive(matched)).isEqualTo(followUp);

        byte[] noise = new byte[1200];
        new Random(7).nextBytes(noise);
        plainClient.send(new DatagramPacket(noise, noise.length, LO, port));
        assertThat(receive(other)).isEqualTo(noise);
      }
    }
  }

  @Test
  @Tag("interop")
  void realClientHelloSplitOverTwoDatagramsIsRoutedByItsName() throws Exception {
    try (DatagramSocket other = listener();
        DatagramSocket matched = listener()) {
      int port = freeUdpPort();
      try (RunningUmbra u =
          RunningUmbra.start(
              config(port, other.getLocalPort(), matched.getLocalPort(), "localhost"))) {
        // gtlsclient names "localhost" in its SNI; a 1 KiB FFDHE8192 key share splits its
        // ClientHello over two Initial datagrams, so the name is known only after the second.
        Process p =
            new ProcessBuilder(
                    "gtlsclient",
                    "-q",
                    "--timeout=5s",
                    "--groups=-GROUP-ALL:+GROUP-FFDHE8192:+GROUP-X25519",
                    "localhost",
                    Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
          List<byte[]> got = new ArrayList<>();
          got.add(receive(matched));
          got.add(receive(matched));
          for (byte[] d : got) {
            assertThat(d.length).isGreaterThanOrEqualTo(1200);
            assertThat(d[0] & 0xf0).isEqualTo(0xc0); // a QUIC v1 Initial long header
          }
          other.setSoTimeout(200);
          assertThat(receiveOrNull(other)).isNull();
        } finally {
          p.destroy();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LO, 0))) {
      return s.getLocalPort();
    }
  }

  private static byte[] receiveOrNull(DatagramSocket s) throws Exception {
    try {
      return receive(s);
    } catch (SocketTimeoutException e) {
      return null;
    }
  }
}
