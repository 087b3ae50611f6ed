package dev.umbra.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Pipe;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 6455 vectors (section 1.3 and 5.7) and frame handling of {@link WebSocketConn}. */
class WebSocketCodecTest {
  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void acceptKeyFromTheRfc() {
    assertThat(Handshakes.accept("dGhlIHNhbXBsZSBub25jZQ=="))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }

  @Test
  void maskedHelloFromTheRfc() {
    byte[] key = hex("37fa213d");
    ByteBuffer b = ByteBuffer.allocate(Frames.MAX_HEADER + 5);
    Frames.writeHeader(b, Frames.TEXT, 5, key);
    byte[] payload = "Hello".getBytes(StandardCharsets.US_ASCII);
    Frames.mask(payload, 0, 5, key, 0);
    b.put(payload);
    assertThat(Arrays.copyOf(b.array(), b.position()))
        .isEqualTo(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
  }

  @Test
  void wordWiseMaskingMatchesTheBytewiseDefinitionAtEveryOffsetLengthAndKeyPosition() {
    Random r = new Random(5);
    byte[] key = new byte[4];
    r.nextBytes(key);
    byte[] data = new byte[300];
    r.nextBytes(data);
    for (int off = 0; off < 9; off++) {
      for (int len = 0; off + len <= data.length; len += len < 70 ? 1 : 37) {
        for (int keyPos = 0; keyPos < 4; keyPos++) {
          byte[] got = data.clone();
          Frames.mask(got, off, len, key, keyPos);
          byte[] want = data.clone();
          for (int i = 0; i < len; i++) {
            want[off + i] ^= key[(keyPos + i) & 3];
          }
          assertThat(got).as("off %d len %d key position %d", off, len, keyPos).isEqualTo(want);
        }
      }
    }
  }

  @Test
  void lengthEncodings() {
    ByteBuffer b = ByteBuffer.allocate(16);
    Frames.writeHeader(b, Frames.BINARY, 256, null);
    assertThat(Arrays.copyOf(b.array(), b.position())).isEqualTo(hex("82 7e 01 00"));
    b.clear();
    Frames.writeHeader(b, Frames.BINARY, 65536, null);
    assertThat(Arrays.copyOf(b.array(), b.position()))
        .isEqualTo(hex("82 7f 00 00 00 00 00 01 00 00"));
  }

  /** A client reading server frames that arrive as given bytes; what it writes is returned. */
  static String readAsClient(byte[] serverBytes, Conn[] pipe) throws Exception {
    WebSocketConn c = new WebSocketConn(pipe[0], new ByteArrayInputStream(serverBytes), true);
    return new String(c.in().readAllBytes(), StandardCharsets.US_ASCII);
  }

  @Test
  void fragmentsAreJoinedPingsAnsweredAndCloseEndsTheStream() throws Exception {
    Conn[] pipe = Pipe.create();
    // "Hel" + ping "Hi" + "lo" (continuation, final) + close 1000; all unmasked from a server
    byte[] frames = hex("01 03 48 65 6c 89 02 48 69 80 02 6c 6f 88 02 03 e8");
    assertThat(readAsClient(frames, pipe)).isEqualTo("Hello");
    InputStream sent = pipe[1].in();
    // pong: 0x8a, masked, length 2, 4-byte key, masked "Hi"
    byte[] pong = sent.readNBytes(8);
    assertThat(pong[0] & 0xff).isEqualTo(0x8a);
    assertThat(pong[1] & 0xff).isEqualTo(0x82);
    byte[] body = Arrays.copyOfRange(pong, 6, 8);
    Frames.mask(body, 0, 2, Arrays.copyOfRange(pong, 2, 6), 0);
    assertThat(new String(body, StandardCharsets.US_ASCII)).isEqualTo("Hi");
    // the close is answered (masked, status 1000)
    byte[] close = sent.readNBytes(8);
    assertThat(close[0] & 0xff).isEqualTo(0x88);
  }

  @Test
  void maskingRulesAreEnforced() {
    Conn[] pipe = Pipe.create();
    // a masked frame sent to a client is a protocol error
    assertThatThrownBy(() -> readAsClient(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), pipe))
        .isInstanceOf(ProtocolException.class);
    // an unmasked frame sent to a server too
    WebSocketConn server =
        new WebSocketConn(pipe[0], new ByteArrayInputStream(hex("82 01 00")), false);
    assertThatThrownBy(() -> server.in().read()).isInstanceOf(ProtocolException.class);
  }

  @Test
  void clientToServerRoundTripOfManySizes() throws Exception {
    Conn[] pipe = Pipe.create();
    WebSocketConn client = new WebSocketConn(pipe[0], pipe[0].in(), true);
    WebSocketConn server = new WebSocketConn(pipe[1], pipe[1].in(), false);
    Random r = new Random(1);
    byte[] all = new byte[300_000];
    r.nextBytes(all);
    Thread writer =
        Thread.ofVirtual()
            .start(() -> {
              try {
                int off = 0;
                for (int len : new int[] {0, 1, 125, 126, 65535, 65536, 100_000}) {
                  client.out().write(all, off, Math.min(len, all.length - off));
                  off += Math.min(len, all.length - off);
                }
                client.out().write(all, off, all.length - off);
                client.out().flush();
                client.close();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    byte[] got = server.in().readAllBytes();
    writer.join(10_000);
    assertThat(got).isEqualTo(all);
  }

  /** Masked client frames of the given sizes, with a ping between the first two. */
  private static byte[] maskedFrames(byte[] payload, int... sizes) {
    java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
    Random r = new Random(7);
    int off = 0;
    for (int i = 0; i < sizes.length; i++) {
      byte[] key = new byte[4];
      r.nextBytes(key);
      ByteBuffer h = ByteBuffer.allocate(Frames.MAX_HEADER);
      Frames.writeHeader(h, Frames.BINARY, sizes[i], key);
      wire.write(h.array(), 0, h.position());
      byte[] body = Arrays.copyOfRange(payload, off, off + sizes[i]);
      Frames.mask(body, 0, body.length, key, 0);
      wire.writeBytes(body);
      off += sizes[i];
      if (i == 0) {
        wire.writeBytes(hex("89 80 01 02 03 04")); // masked empty ping
      }
    }
    return wire.toByteArray();
  }

  @Test
  void oneReadReturnsEveryBufferedFrameAndSplitFramesJoin() throws Exception {
    byte[] payload = new byte[3 * 2048 + 37];
    new Random(3).nextBytes(payload);
    byte[] wire = maskedFrames(payload, 2048, 2048, 37, 2048);
    Conn[] pipe = Pipe.create();
    WebSocketConn server = new WebSocketConn(pipe[0], new ByteArrayInputStream(wire), false);
    byte[] buf = new byte[64 * 1024];
    // all four frames (and the ping between them) arrive in one carrier read
    assertThat(server.in().read(buf, 0, buf.length)).isEqualTo(payload.length);
    assertThat(Arrays.copyOf(buf, payload.length)).isEqualTo(payload);
    assertThat(server.in().read(buf, 0, buf.length)).isEqualTo(-1);

    // the same bytes trickling in 5 at a time, read 3 at a time: headers and masks split anywhere
    InputStream trickle =
        new ByteArrayInputStream(wire) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 5));
          }
        };
    WebSocketConn slow = new WebSocketConn(Pipe.create()[0], trickle, false);
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    for (int n; (n = slow.in().read(buf, 0, 3)) >= 0; ) {
      got.write(buf, 0, n);
    }
    assertThat(got.toByteArray()).isEqualTo(payload);
  }

  @Test
  void wordAtATimeMaskMatchesTheBytewiseDefinition() {
    Random r = new Random(5);
    for (int len : new int[] {0, 1, 15, 16, 17, 100, 4099}) {
      for (int keyPos = 0; keyPos < 4; keyPos++) {
        byte[] key = new byte[4];
        r.nextBytes(key);
        byte[] data = new byte[len + 3];
        r.nextBytes(data);
        byte[] expected = data.clone();
        for (int i = 0; i < len; i++) {
          expected[2 + i] ^= key[(keyPos + i) & 3];
        }
        Frames.mask(data, 2, len, key, keyPos);
        assertThat(data).isEqualTo(expected);
      }
    }
  }
}
