package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.SocketConn;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * v2ray-plugin's WebSocket leg (the transport module's RFC 6455 client) against a scripted server
 * on a loopback socket: the handshake and its accept check, masking, fragmented messages, ping
 * answered with pong, and the close echo.
 */
class WebSocketConnTest {

  static final int OP_CONTINUATION = 0x0;
  static final int OP_BINARY = 0x2;
  static final int OP_CLOSE = 0x8;
  static final int OP_PING = 0x9;
  static final int OP_PONG = 0xA;

  static String acceptFor(String key) throws Exception {
    byte[] d =
        MessageDigest.getInstance("SHA-1")
            .digest(
                (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(d);
  }

  /** A server frame (unmasked). */
  static byte[] serverFrame(boolean fin, int opcode, byte[] payload) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write((fin ? 0x80 : 0) | opcode);
    b.write(payload.length); // < 126 in these tests
    b.writeBytes(payload);
    return b.toByteArray();
  }

  /** Reads one masked client frame: opcode and unmasked payload. */
  static Object[] readClientFrame(DataInputStream in) throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    assertThat(b1 & 0x80).as("client frames are masked").isNotZero();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] mask = in.readNBytes(4);
    byte[] p = in.readNBytes((int) len);
    for (int i = 0; i < p.length; i++) {
      p[i] ^= mask[i & 3];
    }
    return new Object[] {b0 & 0x0f, p};
  }

  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("eof");
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void fragmentsPingAndCloseAreHandled() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Object[]> server =
          CompletableFuture.supplyAsync(() -> {
            try (Socket s = ss.accept()) {
              s.setSoTimeout(10_000);
              InputStream in = s.getInputStream();
              OutputStream out = s.getOutputStream();
              String head = readHead(in);
              int at = head.indexOf("Sec-WebSocket-Key: ") + "Sec-WebSocket-Key: ".length();
              String key = head.substring(at, head.indexOf("\r\n", at));
              out.write(
                  ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          + "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                          + acceptFor(key)
                          + "\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              DataInputStream din = new DataInputStream(in);
              Object[] data = readClientFrame(din);
              out.write(serverFrame(false, OP_BINARY, "hel".getBytes(StandardCharsets.US_ASCII)));
              out.write(serverFrame(true, OP_PING, "p!".getBytes(StandardCharsets.US_ASCII)));
              out.write(
                  serverFrame(true, OP_CONTINUATION, "lo".getBytes(StandardCharsets.US_ASCII)));
              out.write(serverFrame(true, OP_CLOSE, new byte[] {0x03, (byte) 0xe8}));
              out.flush();
              Object[] pong = readClientFrame(din);
              Object[] close = readClientFrame(din);
              return new Object[] {head, data, pong, close};
            } catch (Exception e) {
              throw new RuntimeException(e);
            }
          });
      Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
      c.setSoTimeout(10_000);
      try (Conn ws = PluginWebSocket.connect(new SocketConn(c), "peer.test", "/ss")) {
        ws.out().write("up".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(ws.in().readAllBytes(), StandardCharsets.US_ASCII))
            .isEqualTo("hello");
      }
      Object[] r = server.get(20, TimeUnit.SECONDS);
      assertThat((String) r[0]).startsWith("GET /ss HTTP/1.1\r\n").contains("Host: peer.test\r\n");
      assertThat(((Object[]) r[1])[0]).isEqualTo(OP_BINARY);
      assertThat((byte[]) ((Object[]) r[1])[1]).isEqualTo("up".getBytes(StandardCharsets.US_ASCII));
      assertThat(((Object[]) r[2])[0]).isEqualTo(OP_PONG);
      assertThat((byte[]) ((Object[]) r[2])[1]).isEqualTo("p!".getBytes(StandardCharsets.US_ASCII));
      assertThat(((Object[]) r[3])[0]).isEqualTo(OP_CLOSE);
    }
  }

  @Test
  void aWrongAcceptIsRefused() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> server =
          CompletableFuture.runAsync(() -> {
            try (Socket s = ss.accept()) {
              s.setSoTimeout(10_000);
              readHead(s.getInputStream());
              s.getOutputStream()
                  .write(
                      "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: bogus\r\n\r\n"
                          .getBytes(StandardCharsets.US_ASCII));
              s.getInputStream().read();
            } catch (IOException e) {
              // the client hung up
            }
          });
      Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
      c.setSoTimeout(10_000);
      try (SocketConn conn = new SocketConn(c)) {
        assertThatThrownBy(() -> PluginWebSocket.connect(conn, "h", "/"))
            .hasMessageContaining("Sec-WebSocket-Accept");
      }
      server.get(20, TimeUnit.SECONDS);
    }
  }
}
