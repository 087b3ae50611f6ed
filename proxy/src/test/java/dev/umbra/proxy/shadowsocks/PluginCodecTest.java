package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Conn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Byte layouts of the built-in plugins' framing: simple-obfs tls and Mux.Cool. */
class PluginCodecTest {

  /** A Conn over fixed input bytes that records what is written. */
  static final class ScriptedConn implements Conn {
    final InputStream in;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ScriptedConn(byte[] input) {
      this.in = new ByteArrayInputStream(input);
    }

    @Override
    public InputStream in() {
      return in;
    }

    @Override
    public OutputStream out() {
      return out;
    }

    @Override
    public void shutdownOutput() {}

    @Override
    public void close() {}
  }

  @Test
  void obfsTlsClientHelloCarriesThePayloadAsSessionTicket() {
    byte[] host = "peer.test".getBytes(StandardCharsets.US_ASCII);
    byte[] payload = "first-bytes".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.wrap(ObfsTlsConn.clientHello(host, payload, 0, payload.length));
    assertThat(b.get()).isEqualTo((byte) 0x16);
    assertThat(b.getShort()).isEqualTo((short) 0x0301);
    assertThat(b.getShort() & 0xffff).isEqualTo(b.capacity() - 5);
    assertThat(b.get()).isEqualTo((byte) 0x01); // ClientHello
    assertThat(((b.get() & 0xff) << 16) | (b.getShort() & 0xffff)).isEqualTo(b.capacity() - 9);
    assertThat(b.getShort()).isEqualTo((short) 0x0303);
    b.position(b.position() + 32); // time + random
    assertThat(b.get()).isEqualTo((byte) 32);
    b.position(b.position() + 32); // session id
    int suites = b.getShort() & 0xffff;
    assertThat(suites).isEqualTo(56);
    b.position(b.position() + suites);
    assertThat(b.get()).isEqualTo((byte) 1);
    assertThat(b.get()).isEqualTo((byte) 0);
    assertThat(b.getShort() & 0xffff).isEqualTo(b.remaining());
    assertThat(b.getShort())
        .isEqualTo((short) 0x0023); // session ticket first, as obfs-server reads it
    int ticket = b.getShort() & 0xffff;
    byte[] got = new byte[ticket];
    b.get(got);
    assertThat(got).isEqualTo(payload);
    assertThat(b.getShort()).isEqualTo((short) 0x0000); // server_name
    assertThat(b.getShort() & 0xffff).isEqualTo(host.length + 5);
    assertThat(b.getShort() & 0xffff).isEqualTo(host.length + 3);
    assertThat(b.get()).isEqualTo((byte) 0);
    assertThat(b.getShort() & 0xffff).isEqualTo(host.length);
    byte[] name = new byte[host.length];
    b.get(name);
    assertThat(name).isEqualTo(host);
  }

  @Test
  void obfsTlsWritesRecordsAndReadsPastTheFakeHandshake() throws Exception {
    ByteArrayOutputStream server = new ByteArrayOutputStream();
    server.write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x03, 9, 9, 9}); // "ServerHello"
    server.write(new byte[] {0x14, 0x03, 0x03, 0x00, 0x01, 0x01}); // ChangeCipherSpec
    server.write(new byte[] {0x16, 0x03, 0x03, 0x00, 0x02, 'h', 'e'}); // first payload
    server.write(new byte[] {0x17, 0x03, 0x03, 0x00, 0x03, 'l', 'l', 'o'});
    ScriptedConn raw = new ScriptedConn(server.toByteArray());
    ObfsTlsConn c = new ObfsTlsConn(raw, "peer.test");
    c.out().write("a".getBytes(StandardCharsets.US_ASCII));
    c.out().write("bc".getBytes(StandardCharsets.US_ASCII));
    byte[] written = raw.out.toByteArray();
    assertThat(written[0]).isEqualTo((byte) 0x16);
    assertThat(Arrays.copyOfRange(written, written.length - 7, written.length))
        .containsExactly(0x17, 0x03, 0x03, 0x00, 0x02, 'b', 'c');
    assertThat(new String(c.in().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
  }

  @Test
  void obfsTlsRejectsAnOversizedRecord() {
    ScriptedConn raw = new ScriptedConn(new byte[] {0x17, 0x03, 0x03, (byte) 0xff, (byte) 0xff});
    ObfsTlsConn c = new ObfsTlsConn(raw, "h");
    assertThatThrownBy(() -> c.in().read(new byte[10])).isInstanceOf(ShadowsocksException.class);
  }

  @Test
  void muxCoolNewThenKeepFrames() throws Exception {
    ScriptedConn raw = new ScriptedConn(new byte[0]);
    MuxCoolConn c = new MuxCoolConn(raw, 8388);
    c.out().write(new byte[] {'x'});
    c.out().write(new byte[] {'y', 'z'});
    assertThat(raw.out.toByteArray())
        .containsExactly(
            // New: meta length 12, id 1, status 1, option data, TCP, port 8388, IPv4 127.0.0.1
            0,
            12,
            0,
            1,
            1,
            1,
            1,
            0x20,
            (byte) 0xc4,
            1,
            127,
            0,
            0,
            1,
            0,
            1,
            'x',
            // Keep: meta length 4, id 1, status 2, option data
            0,
            4,
            0,
            1,
            2,
            1,
            0,
            2,
            'y',
            'z');
  }

  @Test
  void muxCoolReadsOurSessionSkipsOthersAndEndsOnEnd() throws Exception {
    byte[] frames = {
      0,
      4,
      0,
      1,
      4,
      0, // KeepAlive
      0,
      4,
      0,
      2,
      2,
      1,
      0,
      1,
      'q', // Keep for another session: skipped
      0,
      4,
      0,
      1,
      2,
      1,
      0,
      2,
      'o',
      'k', // ours
      0,
      4,
      0,
      1,
      3,
      0, // End
      0,
      4,
      0,
      1,
      2,
      1,
      0,
      1,
      '!' // after End: never read
    };
    MuxCoolConn c = new MuxCoolConn(new ScriptedConn(frames), 1);
    assertThat(new String(c.in().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("ok");
  }

  @Test
  void muxCoolRejectsAnOversizedMetadata() {
    MuxCoolConn c = new MuxCoolConn(new ScriptedConn(new byte[] {(byte) 0xff, (byte) 0xff}), 1);
    assertThatThrownBy(() -> c.in().read(new byte[10])).isInstanceOf(ShadowsocksException.class);
  }
}
