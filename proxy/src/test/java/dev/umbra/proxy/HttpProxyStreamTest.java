package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The HTTP proxy's stream handling at the byte level: what a client sends in the same packet as its
 * request head is never lost, whether it is tunnel data after CONNECT or a pipelined request.
 */
class HttpProxyStreamTest {
  private static String config(int port) {
    return """
    {"log": {"level": "warn"},
     "inbounds": [{"type": "http", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
     "outbounds": [{"type": "direct", "tag": "direct"}]}
    """
        .formatted(port);
  }

  @Test
  void tunnelBytesSentWithTheConnectHeadReachTheTarget() throws Exception {
    int port = FreePort.tcp();
    try (ServerSocket echo = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        RunningUmbra u = RunningUmbra.start(config(port))) {
      Thread.ofVirtual()
          .start(() -> {
            try (Socket s = echo.accept()) {
              s.getInputStream().transferTo(s.getOutputStream());
            } catch (java.io.IOException ignored) {
              // the test ended
            }
          });
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
        client.setSoTimeout(10_000);
        String connect =
            "CONNECT 127.0.0.1:" + echo.getLocalPort() + " HTTP/1.1\r\nHost: x\r\n\r\nearly bytes";
        client.getOutputStream().write(connect.getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();
        String all = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(all).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nearly bytes");
      }
    }
  }

  @Test
  void pipelinedRequestsInOnePacketEachGetTheirResponse() throws Exception {
    int port = FreePort.tcp();
    try (HttpOrigin origin = new HttpOrigin();
        RunningUmbra u = RunningUmbra.start(config(port));
        Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
      client.setSoTimeout(10_000);
      String one = "GET " + origin.url("/small") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      String two =
          "GET "
              + origin.url("/bytes/5")
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      OutputStream out = client.getOutputStream();
      out.write((one + two).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = client.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all.split("HTTP/1.1 200", -1)).hasSize(3);
      assertThat(all).contains("\r\n\r\nok\n");
      assertThat(all)
          .endsWith("\r\n\r\n" + new String(HttpOrigin.bytes(5), StandardCharsets.ISO_8859_1));
    }
  }
}
