package dev.umbra.proxy.mux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.Pipe;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.hpack.HpackDecoder;
import org.junit.jupiter.api.Test;

/**
 * h2mux on the wire, checked against sing-mux's h2mux.go (Go's x/net/http2 on both ends) and RFC
 * 9113: the client writes the sing-mux preamble with protocol 2, the HTTP/2 client preface, and a
 * CONNECT request (§8.5: {@code :method} and {@code :authority} only, no {@code :scheme} or {@code
 * :path}) for {@code localhost}; the stream's DATA then carries the sing-mux stream request. The
 * server answers a hand-written Go-style CONNECT with {@code :status 200}.
 */
class H2MuxWireTest {
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int SETTINGS = 4;
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;

  @SuppressWarnings("ArrayRecordComponent") // test frames, compared by field
  record Frame(int type, int flags, int stream, byte[] payload) {}

  static Frame read(DataInputStream in) throws IOException {
    int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int stream = in.readInt() & 0x7fffffff;
    byte[] p = new byte[length];
    in.readFully(p);
    return new Frame(type, flags, stream, p);
  }

  static void write(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    int n = payload.length;
    out.write(new byte[] {(byte) (n >> 16), (byte) (n >> 8), (byte) n, (byte) type, (byte) flags});
    out.write(new byte[] {(byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8)});
    out.write(stream);
    out.write(payload);
    out.flush();
  }

  /**
   * HPACK integer with an n-bit prefix (RFC 7541 §5.1), from {@code b[pos]}; returns {value, next}.
   */
  static int[] hpackInt(byte[] b, int pos, int bits) {
    int max = (1 << bits) - 1;
    int v = b[pos] & max;
    pos++;
    if (v < max) {
      return new int[] {v, pos};
    }
    int shift = 0;
    int c;
    do {
      c = b[pos++] & 0xff;
      v += (c & 0x7f) << shift;
      shift += 7;
    } while ((c & 0x80) != 0);
    return new int[] {v, pos};
  }

  /** The static-table name indices a header block refers to (RFC 7541 §6), in order. */
  static List<Integer> staticNames(byte[] block) {
    List<Integer> names = new ArrayList<>();
    int pos = 0;
    while (pos < block.length) {
      int first = block[pos] & 0xff;
      int[] r;
      if ((first & 0x80) != 0) {
        r = hpackInt(block, pos, 7); // indexed field
        names.add(r[0]);
        pos = r[1];
        continue;
      } else if ((first & 0xe0) == 0x20) {
        pos = hpackInt(block, pos, 5)[1]; // table size update
        continue;
      } else if ((first & 0xc0) == 0x40) {
        r = hpackInt(block, pos, 6); // literal, incremental indexing
      } else {
        r = hpackInt(block, pos, 4); // literal, not indexed / never indexed
      }
      pos = r[1];
      if (r[0] == 0) {
        int[] len = hpackInt(block, pos, 7); // literal name
        pos = len[1] + len[0];
        names.add(0);
      } else {
        names.add(r[0]);
      }
      int[] len = hpackInt(block, pos, 7);
      pos = len[1] + len[0];
    }
    return names;
  }

  @Test
  void clientSendsPreambleConnectAndStreamRequest() throws Exception {
    Conn[] p = Pipe.create();
    MuxClient client =
        MuxClient.create(
            "t",
            new MultiplexOutboundOptions(true, null, null, null, null, false, null),
            () -> p[0]);
    Destination target = new Destination.Domain("example.com", 443);
    CompletableFuture<byte[]> got =
        CompletableFuture.supplyAsync(() -> {
          try (Conn c = client.dial(target)) {
            c.out().write("ping".getBytes(StandardCharsets.US_ASCII));
            c.out().flush();
            return new DataInputStream(c.in()).readNBytes(5);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    Conn server = p[1];
    server.setReadTimeout(15_000);
    DataInputStream in = new DataInputStream(server.in());
    // sing-mux preamble: version 0, protocol 2 (h2mux), when padding is off
    assertThat(in.readNBytes(2)).containsExactly(0, 2);
    assertThat(in.readNBytes(PREFACE.length)).isEqualTo(PREFACE);
    OutputStream out = server.out();
    write(out, SETTINGS, 0, 0, new byte[0]);
    Frame headers = null;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] request = SingMux.encode(new SingMux.StreamRequest(false, false, target));
    while (headers == null || body.size() < request.length + 4) {
      Frame f = read(in);
      if (f.type() == SETTINGS && (f.flags() & 1) == 0) {
        write(out, SETTINGS, 1, 0, new byte[0]);
      } else if (f.type() == HEADERS) {
        assertThat(f.stream()).isEqualTo(1);
        assertThat(f.flags() & END_HEADERS).isEqualTo(END_HEADERS);
        assertThat(f.flags() & END_STREAM).isZero();
        headers = f;
      } else if (f.type() == DATA) {
        assertThat(f.stream()).isEqualTo(1);
        body.write(f.payload());
      }
    }
    // RFC 9113 §8.5: :method and :authority; static names 4-7 (:path, :scheme) absent
    List<Integer> names = staticNames(headers.payload());
    assertThat(names).contains(1, 2).doesNotContain(4, 5, 6, 7);
    MetaData.Request r =
        (MetaData.Request)
            new HpackDecoder(8192, System::nanoTime).decode(ByteBuffer.wrap(headers.payload()));
    assertThat(r.getMethod()).isEqualTo("CONNECT");
    assertThat(r.getHttpURI().getAuthority()).isEqualTo("localhost");
    // the DATA carries the sing-mux stream request, then the payload
    byte[] b = body.toByteArray();
    assertThat(java.util.Arrays.copyOf(b, request.length)).isEqualTo(request);
    assertThat(new String(b, request.length, 4, StandardCharsets.US_ASCII)).isEqualTo("ping");
    // :status 200 (static index 8), then the sing-mux success status and a reply
    write(out, HEADERS, END_HEADERS, 1, new byte[] {(byte) 0x88});
    write(out, DATA, 0, 1, new byte[] {0, 'p', 'o', 'n', 'g', '!'});
    assertThat(new String(got.get(15, TimeUnit.SECONDS), StandardCharsets.US_ASCII))
        .isEqualTo("pong!");
    client.close();
  }

  @Test
  void serverAnswersGoStyleConnectWith200() throws Exception {
    Conn[] p = Pipe.create();
    CompletableFuture<Destination> routed = new CompletableFuture<>();
    Router router =
        new Router() {
          @Override
          public void routeConnection(Conn c, Metadata m, Handshake h) {
            routed.complete(m.destination());
            try {
              h.succeed();
              c.out().write("ok".getBytes(StandardCharsets.US_ASCII));
              c.out().flush();
            } catch (IOException e) {
              routed.completeExceptionally(e);
            }
          }

          @Override
          public void routePackets(PacketConn c, Metadata m, Handshake h) {}
        };
    MuxServer mux = MuxServer.create("t", new MultiplexInboundOptions(true, false, null));
    Metadata m =
        Metadata.of(
            "t",
            "vmess",
            Network.TCP,
            new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 1),
            SingMux.DESTINATION);
    Thread.ofVirtual().start(() -> mux.serve(p[1], m, router));
    Conn c = p[0];
    c.setReadTimeout(15_000);
    OutputStream out = c.out();
    out.write(new byte[] {0, 2});
    out.write(PREFACE);
    write(out, SETTINGS, 0, 0, new byte[0]);
    // what Go's http2 client sends for sing-mux's request: literal :method CONNECT (name 2),
    // literal :authority localhost (name 1), not indexed, plain strings
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x02);
    block.write(7);
    block.write("CONNECT".getBytes(StandardCharsets.US_ASCII));
    block.write(0x01);
    block.write(9);
    block.write("localhost".getBytes(StandardCharsets.US_ASCII));
    write(out, HEADERS, END_HEADERS, 1, block.toByteArray());
    write(
        out,
        DATA,
        0,
        1,
        SingMux.encode(
            new SingMux.StreamRequest(false, false, new Destination.Domain("example.org", 80))));
    DataInputStream in = new DataInputStream(c.in());
    Frame status = null;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (status == null || body.size() < 3) {
      Frame f = read(in);
      if (f.type() == SETTINGS && (f.flags() & 1) == 0) {
        write(out, SETTINGS, 1, 0, new byte[0]);
      } else if (f.type() == HEADERS) {
        status = f;
      } else if (f.type() == DATA && f.stream() == 1) {
        body.write(f.payload());
      }
    }
    MetaData.Response r =
        (MetaData.Response)
            new HpackDecoder(8192, System::nanoTime).decode(ByteBuffer.wrap(status.payload()));
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(routed.get(15, TimeUnit.SECONDS))
        .isEqualTo(new Destination.Domain("example.org", 80));
    // sing-mux success status, then the routed connection's bytes
    assertThat(body.toByteArray()).containsExactly(0, 'o', 'k');
    c.close();
  }
}
