package dev.umbra.core.sniff;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SnifferTest {
  private static final Sniffer[] ALL = {
    new TlsSniffer(),
    new HttpSniffer(),
    new SshSniffer(),
    new BitTorrentSniffer(),
    new BitTorrentSniffer.Udp(),
    new DnsSniffer(),
    new DnsSniffer.Tcp()
  };

  private static SniffOutcome sniff(Sniffer s, byte[] data) {
    return s.sniff(ByteBuffer.wrap(data));
  }

  private static SniffResult match(Sniffer s, byte[] data) {
    SniffOutcome o = sniff(s, data);
    assertThat(o).isInstanceOf(SniffOutcome.Match.class);
    return ((SniffOutcome.Match) o).result();
  }

  @Test
  @Tag("interop")
  void tlsClientHelloFromOpenssl() throws Exception {
    byte[] hello =
        CapturedClients.capture(
            16384,
            "openssl",
            "s_client",
            "-connect",
            "127.0.0.1:PORT",
            "-servername",
            "sni.example.test",
            "-quiet");
    assertThat(match(new TlsSniffer(), hello))
        .isEqualTo(new SniffResult("tls", "sni.example.test", null));
    // split across reads: every strict prefix asks for more, never a wrong answer
    for (int cut = 1; cut < hello.length; cut += 37) {
      assertThat(sniff(new TlsSniffer(), java.util.Arrays.copyOf(hello, cut)))
          .isInstanceOf(SniffOutcome.NeedMore.class);
    }
  }

  @Test
  @Tag("interop")
  void sshBannerFromOpenssh() throws Exception {
    byte[] banner =
        CapturedClients.capture(
            255,
            "ssh",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-p",
            "PORT",
            "nobody@127.0.0.1");
    SniffResult r = match(new SshSniffer(), banner);
    assertThat(r.protocol()).isEqualTo("ssh");
    assertThat(r.client()).startsWith("OpenSSH_");
  }

  @Test
  void httpHostWithPortStripped() {
    byte[] req =
        "GET /x HTTP/1.1\r\nUser-Agent: t\r\nHost: Web.Example.test:8080\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    assertThat(match(new HttpSniffer(), req))
        .isEqualTo(new SniffResult("http", "web.example.test", null));
    assertThat(sniff(new HttpSniffer(), "GE".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(SniffOutcome.NeedMore.class);
    assertThat(sniff(new HttpSniffer(), "HELLO world".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(SniffOutcome.NoMatch.class);
  }

  @Test
  void dnsQueryOverUdpAndTcp() {
    // id 0x1234, RD, one question: www.example.test A IN
    byte[] q =
        HexFormat.of()
            .parseHex(
                "123401000001000000000000"
                    + "03777777076578616d706c650474657374"
                    + "00"
                    + "00010001");
    assertThat(match(new DnsSniffer(), q))
        .isEqualTo(new SniffResult("dns", "www.example.test", null));
    byte[] tcp = new byte[q.length + 2];
    tcp[1] = (byte) q.length;
    System.arraycopy(q, 0, tcp, 2, q.length);
    assertThat(match(new DnsSniffer.Tcp(), tcp).domain()).isEqualTo("www.example.test");
    byte[] response = q.clone();
    response[2] = (byte) 0x81; // QR set: a response, not a query
    assertThat(sniff(new DnsSniffer(), response)).isInstanceOf(SniffOutcome.NoMatch.class);
  }

  @Test
  void bitTorrentHandshakeAndDht() {
    byte[] hs = new byte[68];
    byte[] proto = "\u0013BitTorrent protocol".getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(proto, 0, hs, 0, proto.length);
    assertThat(match(new BitTorrentSniffer(), hs).protocol()).isEqualTo("bittorrent");
    assertThat(sniff(new BitTorrentSniffer(), java.util.Arrays.copyOf(hs, 5)))
        .isInstanceOf(SniffOutcome.NeedMore.class);
    byte[] dht =
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
            .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(match(new BitTorrentSniffer.Udp(), dht).protocol()).isEqualTo("bittorrent");
  }

  @Property(tries = 500)
  void randomBytesNeverThrow(@ForAll @Size(max = 3000) byte[] data) {
    for (Sniffer s : ALL) {
      SniffOutcome o = s.sniff(ByteBuffer.wrap(data));
      assertThat(o).isNotNull();
    }
  }

  @Property(tries = 200)
  void truncatedHttpNeverMatchesAnotherHost(@ForAll @Size(max = 60) byte[] noise) {
    byte[] req = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int cut = 0; cut < req.length; cut++) {
      SniffOutcome o = new HttpSniffer().sniff(ByteBuffer.wrap(java.util.Arrays.copyOf(req, cut)));
      if (o instanceof SniffOutcome.Match m) {
        assertThat(m.result().domain()).isIn("a.test", null);
      }
    }
    assertThat(new TlsSniffer().sniff(ByteBuffer.wrap(noise))).isNotNull();
  }
}
