package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Garbage, truncated handshakes, oversized heads and slow clients close only their own connection;
 * a good connection opened alongside keeps working.
 */
class HostileInputTest {
  static HttpOrigin origin;
  static RunningUmbra umbra;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    port = FreePort.tcp();
    umbra =
        RunningUmbra.start(
            """
            {"log": {"level": "error"},
             "inbounds": [{"type": "mixed", "tag": "m", "listen": "127.0.0.1", "listen_port": %d}],
             "outbounds": [{"type": "direct", "tag": "direct"}]}
            """
                .formatted(port));
  }

  @AfterAll
  static void stop() {
    umbra.close();
    origin.close();
  }

  /** A SOCKS5 CONNECT to the origin, fetching /small, on its own socket. */
  private static String goodRequest() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(new byte[] {5, 1, 0});
      in.readNBytes(2);
      int p = origin.port();
      out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (p >> 8), (byte) p});
      byte[] reply = in.readNBytes(10);
      assertThat(reply[1]).isZero();
      out.write("GET /small HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }

  /** Sends bytes and returns whether the server closed the connection within the timeout. */
  private static boolean closedAfter(byte[] bytes, int timeoutMillis) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(timeoutMillis);
      s.getOutputStream().write(bytes);
      try {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        while (in.read(buf) >= 0) {
          // drain any error response until the server closes
        }
        return true;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (java.net.SocketException reset) {
        return true; // a reset is a close too
      }
    }
  }

  @Test
  void randomGarbageClosesOnlyThatConnection() throws Exception {
    Random random = new Random(42);
    for (int i = 0; i < 20; i++) {
      byte[] junk = new byte[1 + random.nextInt(2000)];
      random.nextBytes(junk);
      junk[0] = (byte) (junk[0] == 4 || junk[0] == 5 ? 'X' : junk[0]);
      junk[junk.length - 1] = '\n';
      assertThat(closedAfter(concat(junk, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), 15_000))
          .isTrue();
    }
    assertThat(goodRequest()).isEqualTo("ok\n");
  }

  @Test
  void malformedSocksRequestsAreClosed() throws Exception {
    assertThat(closedAfter(new byte[] {5, 0}, 15_000)).isTrue(); // no methods
    assertThat(closedAfter(new byte[] {5, 1, 0, 5, 1, 0, 9, 1, 2}, 15_000)).isTrue(); // bad ATYP
    assertThat(closedAfter(new byte[] {5, 1, 0, 5, 2, 0, 1, 127, 0, 0, 1, 0, 80}, 15_000))
        .isTrue(); // BIND
    assertThat(goodRequest()).isEqualTo("ok\n");
  }

  @Test
  void oversizedHttpHeadIsRefused() throws Exception {
    StringBuilder b = new StringBuilder("GET http://127.0.0.1:1/ HTTP/1.1\r\n");
    for (int i = 0; i < 200; i++) {
      b.append("X-Filler-").append(i).append(": ").append("a".repeat(100)).append("\r\n");
    }
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(b.toString().getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(response).startsWith("HTTP/1.1 431");
    }
    assertThat(goodRequest()).isEqualTo("ok\n");
  }

  @Test
  void slowlorisIsCutOffWhileOthersProceed() throws Exception {
    try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), port)) {
      slow.getOutputStream()
          .write("GET http://127.0.0.1/ HTTP/1.1\r\nX-A: ".getBytes(StandardCharsets.US_ASCII));
      // while the slow client dawdles, a good one is served
      assertThat(goodRequest()).isEqualTo("ok\n");
      slow.setSoTimeout(30_000);
      // the server gives up on the unfinished head after its handshake timeout
      assertThat(slow.getInputStream().read()).isNotEqualTo(-2);
      int b;
      do {
        b = slow.getInputStream().read();
      } while (b >= 0);
      assertThat(b).isEqualTo(-1);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
