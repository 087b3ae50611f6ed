package dev.umbra.proxy.vless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.Socks5;
import dev.umbra.proxy.socks.SocksAddress;
import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import dev.umbra.testkit.UdpEcho;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * VLESS with {@code flow: xtls-rprx-vision} Umbra to Umbra over TLS 1.3 (no Vision peer here), with
 * a recording relay on the wire between the two: HTTPS (inner TLS 1.3) switches to direct copy both
 * ways — curl downloads from openssl s_server, and uploads and downloads between two JDK
 * SSLSockets, checked by hash — and on the wire the inner TLS records appear verbatim after the
 * switch, outer TLS records only before it. Plain HTTP stays inside the outer TLS (command end).
 * UDP as xudp inside Vision (the Mux command, as Xray's and sing-box's clients send it), to two
 * destinations in one session; command UDP with the flow refused; Vision refused without TLS.
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VisionEndToEndTest {
  @TempDir static Path dir;
  static TestCerts certs;
  static PeerProcess openssl;
  static InnerTls inner;
  static HttpOrigin origin;
  static UdpEcho echo;
  static UdpEcho echo2;
  static int serverPort;
  static RecordingRelay wire;
  static RecordingRelay innerWire;
  static Harness.Running server;
  static Harness.Running client;
  static int https;
  static int socks;
  static int udp;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.create(dir);
    https = FreePort.tcp();
    openssl =
        PeerProcess.start(
            "openssl-s_server",
            https,
            Duration.ofSeconds(15),
            "openssl",
            "s_server",
            "-accept",
            "127.0.0.1:" + https,
            "-cert",
            certs.certificate().toString(),
            "-key",
            certs.key().toString(),
            "-WWW",
            "-quiet");
    inner = new InnerTls(certs);
    innerWire = new RecordingRelay(inner.port());
    origin = new HttpOrigin();
    echo = new UdpEcho();
    echo2 = new UdpEcho();
    int port = FreePort.tcp();
    serverPort = port;
    server =
        Harness.umbra(
            """
            {"log": {"level": "warn"},
             "inbounds": [{"type": "vless", "tag": "in", "listen": "127.0.0.1",
               "listen_port": %d,
               "users": [{"name": "u", "uuid": "%s", "flow": "xtls-rprx-vision"}],
               "tls": {"enabled": true, "certificate_path": "%s", "key_path": "%s"}}],
             "outbounds": [{"type": "direct", "tag": "direct"}]}
            """
                .formatted(port, Harness.UUID, certs.certificate(), certs.key()));
    wire = new RecordingRelay(port);
    socks = FreePort.tcp();
    udp = FreePort.tcp();
    client =
        Harness.umbra(
            """
            {"log": {"level": "warn"},
             "inbounds": [
               {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
               {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
                "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
             "outbounds": [{"type": "vless", "tag": "out", "server": "127.0.0.1",
               "server_port": %d, "uuid": "%s", "flow": "xtls-rprx-vision",
               "tls": {"enabled": true, "server_name": "localhost",
                 "certificate_path": "%s"}}]}
            """
                .formatted(
                    socks, udp, echo.port(), wire.port(), Harness.UUID, certs.certificate()));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c :
        new AutoCloseable[] {
          client, server, wire, innerWire, echo, echo2, origin, inner, openssl
        }) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static byte[] sha(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  @Test
  void curlDownloadsOverHttps() throws Exception {
    // openssl s_server -WWW serves files relative to its working directory (the module's)
    Path www = Path.of("target", "vision-www");
    Files.createDirectories(www);
    byte[] blob = new byte[3 * 1024 * 1024 + 11];
    new Random(7).nextBytes(blob);
    Path file = Files.write(www.resolve("blob-" + https + ".bin"), blob);
    try {
      for (int i = 0; i < 3; i++) {
        Curl.Result r =
            Curl.run(
                "--socks5-hostname",
                "127.0.0.1:" + socks,
                "--tlsv1.3",
                "--cacert",
                certs.certificate().toString(),
                "https://localhost:" + https + "/" + www.resolve(file.getFileName()));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(sha(r.body())).isEqualTo(sha(blob));
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void uploadAndDownloadOverHttps() throws Exception {
    byte[] up = new byte[3 * 1024 * 1024 + 5];
    new Random(8).nextBytes(up);
    byte[][] got = InnerTls.exchange(certs, socks, inner.port(), up);
    assertThat(got[0]).as("sha of the upload as the inner server saw it").isEqualTo(sha(up));
    assertThat(sha(got[1])).isEqualTo(sha(InnerTls.download(up.length)));
  }

  /**
   * Per direction, the outer TCP stream is outer TLS records up to the switch, then exactly the
   * inner TLS records the inner endpoints exchanged, from an inner application data record on.
   */
  @Test
  void wireCarriesTheInnerRecordsRawAfterTheSwitch() throws Exception {
    int outerBefore = wire.sessions().size();
    int innerBefore = innerWire.sessions().size();
    byte[] up = new byte[256 * 1024];
    new Random(9).nextBytes(up);
    byte[][] got = InnerTls.exchange(certs, socks, innerWire.port(), up);
    assertThat(got[0]).isEqualTo(sha(up));
    assertThat(sha(got[1])).isEqualTo(sha(InnerTls.download(up.length)));
    RecordingRelay.Session outer = only(wire.sessions(), outerBefore);
    RecordingRelay.Session innerSession = only(innerWire.sessions(), innerBefore);
    outer.awaitDone(30);
    innerSession.awaitDone(30);
    assertSwitchedToDirect("up", outer.up(), innerSession.up(), up.length);
    assertSwitchedToDirect("down", outer.down(), innerSession.down(), up.length);
  }

  /** Inner traffic that is not TLS: padding ends with end and all of it stays in the outer TLS. */
  @Test
  void plainHttpStaysInsideTheOuterTls() throws Exception {
    int before = wire.sessions().size();
    int size = 256 * 1024;
    Curl.Result r =
        Curl.run(
            "--socks5-hostname",
            "127.0.0.1:" + socks,
            "http://localhost:" + origin.port() + "/bytes/" + size);
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(sha(r.body())).isEqualTo(sha(HttpOrigin.bytes(size)));
    RecordingRelay.Session outer = only(wire.sessions(), before);
    outer.awaitDone(30);
    for (byte[] direction : new byte[][] {outer.up(), outer.down()}) {
      List<Integer> starts = recordStarts(direction);
      assertThat(end(direction, starts)).isEqualTo(direction.length); // records, to the last byte
    }
    byte[] chunk = Arrays.copyOfRange(HttpOrigin.bytes(size), 100_000, 100_064);
    assertThat(indexOf(outer.down(), chunk, outer.down().length)).isEqualTo(-1);
    assertThat(indexOf(outer.up(), "GET /bytes".getBytes(), outer.up().length)).isEqualTo(-1);

    Harness.assertTcpThroughSocks(socks, origin, dir, 2 * 1024 * 1024);
  }

  /**
   * Runs last: with the pair warm no datagram is resent (a late echo of one would differ). The
   * client sends UDP as xudp inside Vision (the outbound has no packet_encoding).
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void udpBesideIt() throws Exception {
    Harness.assertUdpEcho(udp);
  }

  /**
   * A SOCKS5 UDP association at the client to two echo servers, datagrams alternating between them:
   * one VLESS connection (one xudp session inside Vision) carries both, each echo comes back byte
   * for byte from its own source, and no payload shows on the wire.
   */
  @Test
  @Order(Integer.MAX_VALUE - 1)
  void udpToTwoDestinationsInOneVisionSession() throws Exception {
    int before = wire.sessions().size();
    List<byte[]> sent = new ArrayList<>();
    try (Socket control = new Socket(InetAddress.getLoopbackAddress(), socks);
        DatagramSocket s =
            new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      control.setSoTimeout(10_000);
      s.setSoTimeout(1000);
      OutputStream out = control.getOutputStream();
      DataInputStream in = new DataInputStream(control.getInputStream());
      out.write(new byte[] {5, 1, 0});
      assertThat(in.readNBytes(2)).containsExactly(5, 0);
      out.write(new byte[] {5, 3, 0, 1, 0, 0, 0, 0, 0, 0});
      assertThat(in.readNBytes(3)).containsExactly(5, 0, 0);
      int relay = SocksAddress.read(in).port();
      Random random = new Random(11);
      for (int i = 0; i < 12; i++) {
        int port = i % 2 == 0 ? echo.port() : echo2.port();
        byte[] payload = new byte[20 + random.nextInt(1200)];
        random.nextBytes(payload);
        payload[0] = (byte) i;
        sent.add(payload);
        Destination target = new Destination.Ip(InetAddress.getLoopbackAddress(), port);
        ByteBuffer b = ByteBuffer.allocate(Socks5.udpHeaderLength(target) + payload.length);
        Socks5.writeUdpHeader(b, target);
        b.put(payload);
        byte[] datagram = Arrays.copyOf(b.array(), b.position());
        awaitEcho(s, relay, datagram, port, payload);
      }
    }
    // one VLESS connection for the association (more only if a first attempt was retried)
    assertThat(wire.sessions().size() - before).isEqualTo(1);
    RecordingRelay.Session outer = wire.sessions().get(before);
    for (byte[] p : sent) {
      byte[] probe = Arrays.copyOfRange(p, 0, 16);
      assertThat(indexOf(outer.up(), probe, outer.up().length)).isEqualTo(-1);
      assertThat(indexOf(outer.down(), probe, outer.down().length)).isEqualTo(-1);
    }
  }

  /** Sends until the echo of {@code payload} comes back from {@code port} (bounded). */
  private static void awaitEcho(
      DatagramSocket s, int relay, byte[] datagram, int port, byte[] payload) throws Exception {
    for (int attempt = 0; attempt < 5; attempt++) {
      s.send(
          new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), relay));
      long deadline = System.nanoTime() + 1_000_000_000L;
      while (System.nanoTime() < deadline) {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        try {
          s.receive(p);
        } catch (SocketTimeoutException e) {
          break;
        }
        ByteBuffer r = ByteBuffer.wrap(p.getData(), 0, p.getLength());
        Destination from = Socks5.readUdpHeader(r);
        byte[] got = Arrays.copyOfRange(r.array(), r.position(), r.limit());
        if (got.length > 0 && got[0] != payload[0]) {
          continue; // a late echo of an earlier datagram that was resent
        }
        assertThat(from.port()).isEqualTo(port);
        assertThat(got).isEqualTo(payload);
        return;
      }
    }
    throw new AssertionError("no echo from port " + port + " after 5 tries");
  }

  private static SSLSocket visionTls() throws Exception {
    SSLSocket t =
        (SSLSocket)
            InnerTls.context(certs)
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), serverPort);
    t.setSoTimeout(10_000);
    t.startHandshake();
    assertThat(t.getSession().getProtocol()).isEqualTo("TLSv1.3");
    return t;
  }

  /**
   * The server takes UDP as Xray's and sing-box's Vision clients send it, built here by hand from
   * the published formats: the request with command Mux and the flow, then the UUID and padded
   * blocks carrying XUDP frames; it answers with the response header, the UUID and padded blocks
   * whose XUDP Keep frames name each echo's address. Command UDP with the flow is refused (closed
   * without an answer), as by Xray.
   */
  @Test
  void serverTakesXudpInsideVisionAndRefusesCommandUdp() throws Exception {
    byte[] uuid = Uuids.parse(Harness.UUID, "uuid");
    try (SSLSocket t = visionTls()) {
      OutputStream out = t.getOutputStream();
      DataInputStream in = new DataInputStream(t.getInputStream());
      byte[] first = "first datagram".getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream up = new ByteArrayOutputStream();
      up.writeBytes(Vless.request(uuid, Vless.MUX, Xudp.DESTINATION, Flow.VISION));
      up.writeBytes(uuid);
      up.writeBytes(
          VisionUdpTest.block(
              VisionPadding.CONTINUE, VisionUdpTest.xudp(Xudp.NEW, echo.port(), first), 900));
      out.write(up.toByteArray());
      out.flush();
      assertThat(in.readNBytes(2)).containsExactly(0, 0);
      assertThat(in.readNBytes(16)).isEqualTo(uuid);
      VisionUdpTest.Block reply = VisionUdpTest.readBlock(in);
      assertThat(reply.command()).isEqualTo(VisionPadding.CONTINUE);
      assertThat(reply.content()).isEqualTo(VisionUdpTest.xudp(Xudp.KEEP, echo.port(), first));

      byte[] second = "second datagram, other echo".getBytes(StandardCharsets.US_ASCII);
      out.write(
          VisionUdpTest.block(
              VisionPadding.CONTINUE, VisionUdpTest.xudp(Xudp.KEEP, echo2.port(), second), 30));
      out.flush();
      reply = VisionUdpTest.readBlock(in);
      assertThat(reply.content()).isEqualTo(VisionUdpTest.xudp(Xudp.KEEP, echo2.port(), second));
    }
    try (SSLSocket t = visionTls()) {
      // one write: the server may close as soon as it has read the request header
      ByteArrayOutputStream refused = new ByteArrayOutputStream();
      refused.writeBytes(
          Vless.request(
              uuid,
              Vless.UDP,
              new Destination.Ip(InetAddress.getLoopbackAddress(), echo.port()),
              Flow.VISION));
      refused.writeBytes(uuid);
      refused.writeBytes(VisionUdpTest.block(VisionPadding.CONTINUE, "x".getBytes(), 10));
      t.getOutputStream().write(refused.toByteArray());
      VlessHostileInputTest.assertEndsWithoutAnswer(t);
    }
  }

  private static RecordingRelay.Session only(List<RecordingRelay.Session> all, int before) {
    assertThat(all).hasSize(before + 1);
    return all.get(before);
  }

  private static void assertSwitchedToDirect(String name, byte[] outer, byte[] inner, int bulk) {
    List<Integer> outerStarts = recordStarts(outer);
    assertThat(end(outer, outerStarts))
        .as(name + ": records to the last byte")
        .isEqualTo(outer.length);
    int m = -1;
    for (int start : outerStarts) {
      int tail = outer.length - start;
      if (tail <= inner.length
          && Arrays.equals(outer, start, outer.length, inner, inner.length - tail, inner.length)) {
        m = start;
        break;
      }
    }
    assertThat(m).as(name + ": the outer stream ends with the inner records verbatim").isPositive();
    int k = inner.length - (outer.length - m);
    List<Integer> innerStarts = recordStarts(inner);
    assertThat(end(inner, innerStarts)).isEqualTo(inner.length);
    // the switch: at an inner application data record, after the inner handshake began
    assertThat(innerStarts).as(name + ": switch at an inner record boundary").contains(k);
    assertThat(k).isPositive();
    assertThat(inner[k]).isEqualTo((byte) 0x17);
    assertThat(outer.length - m).as(name + ": the bulk went raw").isGreaterThan(bulk);
    // before it: outer TLS, starting with its handshake; the inner handshake inside, encrypted
    assertThat(outer[0]).isEqualTo((byte) 0x16);
    byte[] firstInner = Arrays.copyOfRange(inner, 0, Math.min(inner.length, innerStarts.get(1)));
    assertThat(indexOf(outer, firstInner, m)).as(name + ": inner handshake in clear").isEqualTo(-1);
    assertThat(m).isGreaterThan(k); // padded and encrypted: more bytes than the inner ones
  }

  /**
   * Starts of consecutive well-formed TLS records from offset 0 (stops at the first that is not).
   */
  private static List<Integer> recordStarts(byte[] b) {
    List<Integer> starts = new ArrayList<>();
    int i = 0;
    while (i + 5 <= b.length) {
      int type = b[i] & 0xff;
      int length = (b[i + 3] & 0xff) << 8 | (b[i + 4] & 0xff);
      boolean ok =
          type >= 0x14 && type <= 0x17 && b[i + 1] == 3 && (b[i + 2] == 1 || b[i + 2] == 3);
      if (!ok || length > 16384 + 256 || i + 5 + length > b.length) {
        break;
      }
      starts.add(i);
      i += 5 + length;
    }
    return starts;
  }

  private static int end(byte[] b, List<Integer> starts) {
    if (starts.isEmpty()) {
      return 0;
    }
    int last = starts.getLast();
    return last + 5 + ((b[last + 3] & 0xff) << 8 | (b[last + 4] & 0xff));
  }

  private static int indexOf(byte[] hay, byte[] needle, int limit) {
    outer:
    for (int i = 0; i + needle.length <= limit; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void visionNeedsTlsAndNoTransport() {
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"outbounds": [{"type": "vless", "tag": "out", "server": "127.0.0.1",
                  "server_port": 1, "uuid": "%s", "flow": "xtls-rprx-vision"}]}
                """
                    .formatted(Harness.UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].flow")
        .hasMessageContaining("needs tls");
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"inbounds": [{"type": "vless", "tag": "in", "listen": "127.0.0.1",
                  "users": [{"uuid": "%s", "flow": "xtls-rprx-vision"}]}]}
                """
                    .formatted(Harness.UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("inbounds[0].users[0].flow");
  }
}
