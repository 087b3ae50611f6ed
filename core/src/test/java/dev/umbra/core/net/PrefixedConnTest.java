package dev.umbra.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PrefixedConnTest {
  @Test
  void theEndOfInputLeavesTheSocketOpenForWriting() throws Exception {
    try (ServerSocketChannel server =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel far = SocketChannel.open(server.getLocalAddress());
        Socket near = server.accept().socket()) {
      far.socket().setSoTimeout(5000);
      Conn conn =
          new PrefixedConn(new SocketConn(near), "pre".getBytes(StandardCharsets.US_ASCII), 3);
      far.socket().getOutputStream().write("fix".getBytes(StandardCharsets.US_ASCII));
      far.socket().shutdownOutput(); // the client half-closes
      assertThat(new String(conn.in().readAllBytes(), StandardCharsets.US_ASCII))
          .isEqualTo("prefix");
      // the other direction still flows (a stream that closed its socket at EOF broke this)
      conn.out().write("answer".getBytes(StandardCharsets.US_ASCII));
      conn.shutdownOutput();
      assertThat(
              new String(far.socket().getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
          .isEqualTo("answer");
      conn.close();
    }
  }
}
