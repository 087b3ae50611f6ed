package dev.umbra.proxy.vless;

import static dev.umbra.proxy.vless.VisionCodecTest.CLIENT_HELLO;
import static dev.umbra.proxy.vless.VisionCodecTest.UUID;
import static dev.umbra.proxy.vless.VisionCodecTest.appData;
import static dev.umbra.proxy.vless.VisionCodecTest.serverHello;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Pipe;
import dev.umbra.testkit.TestCerts;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsConn;
import dev.umbra.tls.TlsOptions;
import dev.umbra.tls.TlsServer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vision's switch to direct copy over a real outer TLS 1.3 connection (Umbra's TlsConn over an
 * in-memory pipe), one side Umbra's {@link VisionConn}, the other a peer written here from the
 * published format (Xray-core proxy/proxy.go): which bytes travel inside the outer TLS, which go
 * raw after it, and where each side switches, per direction.
 */
class VisionDirectTest {
  @TempDir static Path dir;
  static TestCerts certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TestCerts.create(dir);
  }

  private static TlsOptions options(String json) {
    return Binder.bind(Jsonc.parse(json, "t"), TlsOptions.class, "tls");
  }

  /** {client, server}: TLS 1.3 over a pipe. */
  private static TlsConn[] pair() throws Exception {
    return pair("1.3");
  }

  private static TlsConn[] pair(String maxVersion) throws Exception {
    Conn[] pipe = Pipe.create();
    TlsServer server =
        TlsServer.create(
            options(
                "{\"enabled\": true, \"certificate_path\": \"%s\", \"key_path\": \"%s\"}"
                    .formatted(certs.certificate(), certs.key())),
            "tls");
    CompletableFuture<TlsConn> accepted =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return server.accept(pipe[1]);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            Thread::startVirtualThread);
    TlsClient client =
        TlsClient.create(
            options(
                "{\"enabled\": true, \"certificate_path\": \"%s\", \"max_version\": \"%s\"}"
                    .formatted(certs.certificate(), maxVersion)),
            "tls");
    TlsConn c = client.wrap(pipe[0], "localhost");
    return new TlsConn[] {c, accepted.get(20, TimeUnit.SECONDS)};
  }

  /** A block built by hand from the published layout. */
  private static byte[] block(int command, byte[] content, int padding) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(command);
    b.write(content.length >>> 8);
    b.write(content.length);
    b.write(padding >>> 8);
    b.write(padding);
    b.writeBytes(content);
    b.writeBytes(new byte[padding]);
    return b.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static final byte[] REQUEST =
      Vless.request(UUID, Vless.TCP, Destination.of("example.com", 443), Flow.VISION);

  /** The outer TLS read as a Vision peer must: never past the record holding the bytes. */
  private static DataInputStream withinRecords(TlsConn t) {
    return new DataInputStream(
        new InputStream() {
          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return t.readWithinRecord(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return t.readWithinRecord(b, off, len);
          }
        });
  }

  record Block(int command, byte[] content, int padding) {}

  /** Reads blocks until one that is not continue (the UUID already consumed). */
  private static List<Block> readBlocks(DataInputStream in) throws IOException {
    List<Block> out = new ArrayList<>();
    while (true) {
      int command = in.readUnsignedByte();
      byte[] content = new byte[in.readUnsignedShort()];
      int padding = in.readUnsignedShort();
      in.readFully(content);
      in.skipNBytes(padding);
      out.add(new Block(command, content, padding));
      if (command != VisionPadding.CONTINUE) {
        return out;
      }
    }
  }

  /**
   * The peer's direct block and raw bytes behind it are all on the carrier before Umbra's client
   * reads: its TLS layer reads them with the record, and hands them back undecrypted.
   */
  @Test
  void directWithRawBytesAlreadyBufferedInTheTlsLayer() throws Exception {
    TlsConn[] p = pair();
    try (TlsConn c = p[0];
        TlsConn s = p[1]) {
      VisionConn v = VisionConn.client(c, UUID, REQUEST);
      s.out()
          .write(
              concat(
                  Vless.response(),
                  UUID,
                  block(0, ascii("hello"), 5),
                  block(VisionPadding.DIRECT, ascii("world"), 3)));
      Conn carrier = s.detachOutput();
      byte[] raw = appData(6, 500);
      carrier.out().write(raw);
      assertThat(v.in().readNBytes(10 + raw.length)).isEqualTo(concat(ascii("helloworld"), raw));
      assertThat(v.readingDirect()).isTrue();
      assertThat(v.writingDirect()).isFalse();
      byte[] more = appData(2, 100);
      carrier.out().write(more);
      s.shutdownOutput(); // a plain half-close of the carrier
      assertThat(v.in().readAllBytes()).isEqualTo(more);
    }
  }

  /** Bytes after the direct block in the same TLS record are stream data, before the raw ones. */
  @Test
  void directInTheSameRecordAsTrailingContent() throws Exception {
    TlsConn[] p = pair();
    try (TlsConn c = p[0];
        TlsConn s = p[1]) {
      VisionConn v = VisionConn.client(c, UUID, REQUEST);
      s.out()
          .write(
              concat(
                  Vless.response(),
                  UUID,
                  block(0, ascii("a"), 2),
                  block(VisionPadding.DIRECT, ascii("b"), 0),
                  ascii("TAIL")));
      Conn carrier = s.detachOutput();
      byte[] raw = appData(3, 64);
      carrier.out().write(raw);
      carrier.shutdownOutput();
      assertThat(v.in().readAllBytes()).isEqualTo(concat(ascii("abTAIL"), raw));
      assertThat(v.readingDirect()).isTrue();
    }
  }

  /**
   * Upload: Umbra's client pads the request's empty block, the ClientHello and the ChangeCipherSpec
   * with continue; once its reader saw a TLS 1.3 ServerHello, the first write of whole application
   * data records goes in a direct block, the last thing inside the outer TLS; later writes reach
   * the peer raw, verbatim.
   */
  @Test
  void clientWriterGoesDirectAfterTheServerHello() throws Exception {
    TlsConn[] p = pair();
    try (TlsConn c = p[0];
        TlsConn s = p[1]) {
      VisionConn v = VisionConn.client(c, UUID, REQUEST);
      v.out().write(CLIENT_HELLO);
      byte[] sh = serverHello();
      s.out().write(concat(Vless.response(), UUID, block(0, sh, 100)));
      assertThat(v.in().readNBytes(sh.length)).isEqualTo(sh); // the reader's filter sees it
      byte[] ccs = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
      v.out().write(ccs);
      assertThat(v.writingDirect()).isFalse();
      byte[] finished = appData(1, 53);
      v.out().write(finished);
      assertThat(v.writingDirect()).isTrue();
      byte[] data = appData(10, 3000); // within the pipe's buffer: nobody reads yet
      v.out().write(data);
      v.shutdownOutput();

      DataInputStream in = withinRecords(s);
      assertThat(in.readNBytes(REQUEST.length)).isEqualTo(REQUEST);
      assertThat(in.readNBytes(16)).isEqualTo(UUID);
      List<Block> blocks = readBlocks(in);
      assertThat(blocks).extracting(Block::command).containsExactly(0, 0, 0, 2);
      assertThat(blocks.get(0).content()).isEmpty();
      assertThat(blocks.get(0).padding()).isBetween(900, 1399);
      assertThat(blocks.get(1).content()).isEqualTo(CLIENT_HELLO);
      assertThat(blocks.get(2).content()).isEqualTo(ccs);
      assertThat(blocks.get(3).content()).isEqualTo(finished);
      for (Block b : blocks.subList(1, 4)) {
        assertThat(b.content().length + b.padding()).isBetween(900, 1399);
      }
      // the outer TLS ends at the direct block: the rest is raw, then a plain half-close
      InputStream raw = s.detachInput().stream();
      assertThat(raw.readAllBytes()).isEqualTo(data);
    }
  }

  /**
   * Download: Umbra's server sends the response header with its first block (the ServerHello it saw
   * itself), then the first write of whole records with direct, then raw.
   */
  @Test
  void serverWriterGoesDirectAfterItsOwnServerHello() throws Exception {
    TlsConn[] p = pair();
    try (TlsConn c = p[0];
        TlsConn s = p[1]) {
      VisionConn v = VisionConn.server(s, UUID, Vless.response());
      c.out().write(concat(UUID, block(0, CLIENT_HELLO, 700)));
      assertThat(v.in().readNBytes(CLIENT_HELLO.length)).isEqualTo(CLIENT_HELLO);
      byte[] sh = serverHello(0x1302);
      v.out().write(sh);
      byte[] records = appData(2, 300);
      v.out().write(records);
      assertThat(v.writingDirect()).isTrue();
      byte[] data = appData(10, 3000);
      v.out().write(data);
      v.shutdownOutput();

      DataInputStream in = withinRecords(c);
      assertThat(in.readNBytes(2)).isEqualTo(Vless.response());
      assertThat(in.readNBytes(16)).isEqualTo(UUID);
      List<Block> blocks = readBlocks(in);
      assertThat(blocks).extracting(Block::command).containsExactly(0, 2);
      assertThat(blocks.get(0).content()).isEqualTo(sh);
      assertThat(blocks.get(1).content()).isEqualTo(records);
      assertThat(c.detachInput().stream().readAllBytes()).isEqualTo(data);
    }
  }

  /** TLS_AES_128_CCM_8_SHA256 inside: padding ends with end and everything stays in the TLS. */
  @Test
  void ccm8EndsInsideTheOuterTls() throws Exception {
    TlsConn[] p = pair();
    try (TlsConn c = p[0];
        TlsConn s = p[1]) {
      VisionConn v = VisionConn.server(s, UUID, Vless.response());
      byte[] sh = serverHello(0x1305);
      v.out().write(sh);
      byte[] records = appData(2, 300);
      v.out().write(records);
      byte[] data = appData(10, 3000);
      v.out().write(data);
      assertThat(v.writingDirect()).isFalse();
      v.shutdownOutput();
      DataInputStream in = withinRecords(c);
      in.readNBytes(18);
      assertThat(readBlocks(in)).extracting(Block::command).containsExactly(0, 1);
      assertThat(c.in().readAllBytes()).isEqualTo(data); // decrypted: it came inside TLS
    }
  }

  /**
   * Umbra to Umbra, both directions: an inner TLS 1.3 handshake's shape, then 2 MiB each way at
   * once after both directions went direct, checked by hash, then half-closes.
   */
  @Test
  void umbraToUmbraBothDirectionsGoDirect() throws Exception {
    TlsConn[] p = pair();
    try (TlsConn c = p[0];
        TlsConn s = p[1]) {
      VisionConn client = VisionConn.client(c, UUID, REQUEST);
      // the server reads the request as VlessInbound does, then wraps
      DataInputStream header = new DataInputStream(s.in());
      assertThat(header.readNBytes(REQUEST.length)).isEqualTo(REQUEST);
      VisionConn server = VisionConn.server(s, UUID, Vless.response());

      client.out().write(CLIENT_HELLO);
      assertThat(server.in().readNBytes(CLIENT_HELLO.length)).isEqualTo(CLIENT_HELLO);
      byte[] sh = serverHello();
      server.out().write(sh);
      assertThat(client.in().readNBytes(sh.length)).isEqualTo(sh);
      byte[] fin = appData(1, 53);
      client.out().write(fin);
      assertThat(server.in().readNBytes(fin.length)).isEqualTo(fin);
      assertThat(client.writingDirect()).isTrue();
      assertThat(server.readingDirect()).isTrue();
      byte[] ticket = appData(1, 200);
      server.out().write(ticket);
      assertThat(client.in().readNBytes(ticket.length)).isEqualTo(ticket);
      assertThat(server.writingDirect()).isTrue();
      assertThat(client.readingDirect()).isTrue();

      byte[] up = new byte[2 << 20];
      byte[] down = new byte[2 << 20];
      new Random(1).nextBytes(up);
      new Random(2).nextBytes(down);
      CompletableFuture<byte[]> serverGot = readAll(server);
      CompletableFuture<byte[]> clientGot = readAll(client);
      CompletableFuture<Void> sendUp = send(client, up);
      send(server, down).get(60, TimeUnit.SECONDS);
      sendUp.get(60, TimeUnit.SECONDS);
      assertThat(sha(serverGot.get(60, TimeUnit.SECONDS))).isEqualTo(sha(up));
      assertThat(sha(clientGot.get(60, TimeUnit.SECONDS))).isEqualTo(sha(down));
    }
  }

  /** As Xray: Vision runs only over an outer TLS 1.3. */
  @Test
  void outerTls12IsRefused() throws Exception {
    TlsConn[] p = pair("1.2");
    try (TlsConn c = p[0];
        TlsConn s = p[1]) {
      assertThatThrownBy(() -> VisionConn.client(c, UUID, REQUEST))
          .isInstanceOf(java.net.ProtocolException.class)
          .hasMessageContaining("outer TLS version TLSv1.2");
      assertThatThrownBy(() -> VisionConn.server(s, UUID, Vless.response()))
          .isInstanceOf(java.net.ProtocolException.class);
    }
  }

  private static CompletableFuture<byte[]> readAll(Conn c) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return c.in().readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        Thread::startVirtualThread);
  }

  private static CompletableFuture<Void> send(Conn c, byte[] data) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            for (int i = 0; i < data.length; i += 50_000) {
              c.out().write(data, i, Math.min(50_000, data.length - i));
            }
            c.shutdownOutput();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        Thread::startVirtualThread);
  }

  private static byte[] sha(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
