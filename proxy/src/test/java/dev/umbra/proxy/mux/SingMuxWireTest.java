package dev.umbra.proxy.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Pipe;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * Byte-level checks of the sing-mux layers against the layouts in sagernet/sing-mux (protocol.go:
 * preamble, stream request and response; padding.go: padded frames), xtaci/smux frame.go and
 * hashicorp/yamux spec.md.
 */
class SingMuxWireTest {
  private static final HexFormat HEX = HexFormat.of();

  private static DataInputStream in(String hex) {
    return new DataInputStream(new ByteArrayInputStream(HEX.parseHex(hex)));
  }

  @Test
  void preambles() throws IOException {
    // protocol.go: ProtocolSmux=0, ProtocolYAMux=1, ProtocolH2Mux=2; Version0 is version+protocol
    assertThat(HEX.formatHex(SingMux.encode(new SingMux.Preamble(0, 0, false), 0)))
        .isEqualTo("0000");
    assertThat(HEX.formatHex(SingMux.encode(new SingMux.Preamble(0, 1, false), 0)))
        .isEqualTo("0001");
    // Version1 adds padding (bool) and, when true, u16 BE length and that many bytes
    assertThat(HEX.formatHex(SingMux.encode(new SingMux.Preamble(1, 1, false), 0)))
        .isEqualTo("010100");
    assertThat(HEX.formatHex(SingMux.encode(new SingMux.Preamble(1, 0, true), 5)))
        .isEqualTo("0100010005" + "0000000000");
    assertThat(SingMux.readPreamble(in("0100010005" + "0102030405")))
        .isEqualTo(new SingMux.Preamble(1, 0, true));
    assertThat(SingMux.readPreamble(in("0001"))).isEqualTo(new SingMux.Preamble(0, 1, false));
    assertThatThrownBy(() -> SingMux.readPreamble(in("0200")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("version 2");
  }

  @Test
  void streamRequestsAndResponses() throws IOException {
    // flags u16 BE (1 = UDP, 2 = per-packet address) then a SOCKS5 address (ATYP, addr, port)
    assertThat(
            HEX.formatHex(
                SingMux.encode(
                    new SingMux.StreamRequest(
                        false, false, new Destination.Domain("example.com", 443)))))
        .isEqualTo("0000" + "030b" + "6578616d706c652e636f6d" + "01bb");
    assertThat(
            HEX.formatHex(
                SingMux.encode(
                    new SingMux.StreamRequest(true, true, Destination.of("1.2.3.4", 53)))))
        .isEqualTo("0003" + "0101020304" + "0035");
    assertThat(SingMux.readStreamRequest(in("0001" + "0101020304" + "0035")))
        .isEqualTo(new SingMux.StreamRequest(true, false, Destination.of("1.2.3.4", 53)));
    // the magic session destination
    assertThat(SingMux.isMuxDestination(Destination.of("sp.mux.sing-box.arpa", 444))).isTrue();
    assertThat(SingMux.isMuxDestination(Destination.of("sp.mux.sing-box.arpa", 443))).isFalse();
    // response: status 0, or status 1 and a uvarint-length message (varbin string)
    assertThat(HEX.formatHex(SingMux.success())).isEqualTo("00");
    assertThat(HEX.formatHex(SingMux.error("no"))).isEqualTo("01026e6f");
    SingMux.readResponse(in("00"));
    assertThatThrownBy(() -> SingMux.readResponse(in("01026e6f"))).hasMessageContaining("no");
    assertThatThrownBy(() -> SingMux.readResponse(in("01ffffffff0f")))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> SingMux.readResponse(in("07"))).isInstanceOf(ProtocolException.class);
  }

  @Test
  void paddingFrame() {
    // padding.go: u16 BE data length, u16 BE padding length, data, padding
    assertThat(HEX.formatHex(Padding.frame("hi".getBytes(), 0, 2, 3)))
        .isEqualTo("00020003" + "6869" + "000000");
  }

  @Test
  void smuxHeader() throws ProtocolException {
    // smux frame.go: ver, cmd, length u16 LE, sid u32 LE; cmdPSH = 2
    SmuxFrame f = new SmuxFrame(1, SmuxFrame.PSH, 5, 3);
    assertThat(HEX.formatHex(f.encode())).isEqualTo("0102050003000000");
    assertThat(SmuxFrame.decode(HEX.parseHex("0101000201000080")))
        .isEqualTo(new SmuxFrame(1, SmuxFrame.FIN, 512, 0x80000001));
  }

  @Test
  void yamuxHeader() {
    // yamux spec.md: version 0, type, flags u16 BE, stream id u32 BE, length u32 BE
    assertThat(HEX.formatHex(new YamuxFrame(0, YamuxFrame.DATA, 0, 1, 5).encode()))
        .isEqualTo("000000000000000100000005");
    assertThat(
            HEX.formatHex(
                new YamuxFrame(0, YamuxFrame.WINDOW_UPDATE, YamuxFrame.SYN, 1, 0).encode()))
        .isEqualTo("000100010000000100000000");
    assertThat(YamuxFrame.decode(HEX.parseHex("0002000200000000fedcba98")))
        .isEqualTo(new YamuxFrame(0, YamuxFrame.PING, YamuxFrame.ACK, 0, 0xfedcba98L));
  }

  @Property(tries = 50)
  void streamRequestRoundTrips(
      @ForAll boolean udp,
      @ForAll boolean addr,
      @ForAll @IntRange(min = 1, max = 65535) int port,
      @ForAll @StringLength(min = 1, max = 60) @net.jqwik.api.constraints.AlphaChars String host)
      throws IOException {
    var r = new SingMux.StreamRequest(udp, udp && addr, new Destination.Domain(host, port));
    assertThat(
            SingMux.readStreamRequest(
                new DataInputStream(new ByteArrayInputStream(SingMux.encode(r)))))
        .isEqualTo(r);
  }

  @Property(tries = 30)
  void paddingLayerRoundTrips(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 3000) Integer> writes)
      throws Exception {
    Conn[] p = Pipe.create();
    Conn a = Padding.wrap(p[0]);
    Conn b = Padding.wrap(p[1]);
    int total = writes.stream().mapToInt(Integer::intValue).sum();
    byte[] expected = new byte[total];
    new java.util.Random(total).nextBytes(expected);
    Thread writer =
        Thread.ofVirtual()
            .start(() -> {
              try {
                int off = 0;
                for (int n : writes) {
                  a.out().write(expected, off, n);
                  off += n;
                }
                a.out().flush();
                a.shutdownOutput();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    p[1].setReadTimeout(10_000);
    byte[] got = b.in().readAllBytes();
    writer.join(10_000);
    assertThat(got).isEqualTo(expected);
  }
}
