package dev.umbra.proxy.vless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Destination;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.HexFormat;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Vision against the published format (Xray-core proxy/proxy.go XtlsPadding, XtlsUnpadding,
 * XtlsFilterTls, VisionWriter; proxy/vless/encoding addons.proto) byte for byte.
 */
class VisionCodecTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] UUID = HEX.parseHex("b831381d63244d53ad4f8cda48b30811");

  @Test
  void blockLayout() {
    // [uuid] command, content length u16 BE, padding length u16 BE, content, padding
    assertThat(HEX.formatHex(VisionPadding.block(UUID, 0, "ab".getBytes(), 0, 2, 3)))
        .isEqualTo("b831381d63244d53ad4f8cda48b30811" + "00" + "0002" + "0003" + "6162" + "000000");
    assertThat(HEX.formatHex(VisionPadding.block(null, VisionPadding.END, new byte[0], 0, 0, 1)))
        .isEqualTo("01" + "0000" + "0001" + "00");
  }

  @Property(tries = 200)
  void paddingLengthFollowsTheTestSeed(
      @ForAll @IntRange(min = 0, max = VisionPadding.MAX_CONTENT) int len,
      @ForAll boolean longPad) {
    int p = VisionPadding.paddingLength(len, longPad, new Random(len));
    if (len < 900 && longPad) {
      // rand(500) + 900 - len
      assertThat(p).isBetween(900 - len, 1399 - len);
    } else {
      assertThat(p).isBetween(0, Math.min(255, 8192 - 21 - len));
    }
  }

  @Test
  void requestCarriesTheFlowInTheAddons() throws IOException {
    byte[] r = Vless.request(UUID, Vless.TCP, Destination.of("example.com", 443), Flow.VISION);
    // ver 0, uuid, addons length 18 = protobuf field 1 (0x0a), length 16, "xtls-rprx-vision",
    // command 1, port 443, type 2 (domain), length 11, name
    assertThat(HEX.formatHex(r))
        .isEqualTo(
            "00b831381d63244d53ad4f8cda48b30811"
                + "12"
                + "0a10"
                + HEX.formatHex("xtls-rprx-vision".getBytes())
                + "01"
                + "01bb"
                + "020b"
                + HEX.formatHex("example.com".getBytes()));
    var in = new java.io.DataInputStream(new ByteArrayInputStream(r, 17, r.length - 17));
    assertThat(Vless.readRest(in))
        .isEqualTo(new Vless.Request(Vless.TCP, Destination.of("example.com", 443), Flow.VISION));
    assertThatThrownBy(() -> Vless.flowOf(HEX.parseHex("0a05616263")))
        .isInstanceOf(ProtocolException.class);
  }

  private static final byte[] CLIENT_HELLO = HEX.parseHex("160301002a01" + "00".repeat(42));

  /** A ServerHello with session id length 32, cipher 0x1301 and supported_versions TLS 1.3. */
  private static byte[] serverHello() {
    byte[] b = new byte[100];
    System.arraycopy(HEX.parseHex("160303005f02"), 0, b, 0, 6);
    b[43] = 32;
    b[43 + 32 + 1] = 0x13;
    b[43 + 32 + 2] = 0x01;
    System.arraycopy(HEX.parseHex("002b00020304"), 0, b, 90, 6);
    return b;
  }

  @Test
  void filterRecognisesTls13() {
    VisionFilter f = new VisionFilter();
    f.inspect(CLIENT_HELLO, 0, CLIENT_HELLO.length);
    assertThat(f.tls).isTrue();
    byte[] sh = serverHello();
    f.inspect(sh, 0, sh.length);
    assertThat(f.tls12OrAbove).isTrue();
    assertThat(f.cipher).isEqualTo(0x1301);
    assertThat(f.tls13).isTrue();
    assertThat(f.enableXtls).isTrue();
    assertThat(f.packetsToFilter).isZero();
  }

  @Test
  void writerPadsTheHandshakeAndEndsAtApplicationData() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    VisionOutputStream out = new VisionOutputStream(wire, UUID);
    out.write(CLIENT_HELLO);
    byte[] appData = HEX.parseHex("1703030005" + "0102030405");
    out.write(appData);
    byte[] after = "after".getBytes();
    out.write(after);
    byte[] w = wire.toByteArray();
    // first block: uuid, continue, the 48-byte ClientHello, long padding (900..1399 - 48)
    assertThat(HEX.formatHex(w, 0, 19)).isEqualTo(HEX.formatHex(UUID) + "00" + "0030");
    int pad1 = (w[19] & 0xff) << 8 | (w[20] & 0xff);
    assertThat(pad1).isBetween(900 - 48, 1399 - 48);
    int second = 21 + 48 + pad1;
    // second block: no uuid, end (Umbra never sends direct), the application data record
    assertThat(HEX.formatHex(w, second, second + 3)).isEqualTo("01000a");
    int pad2 = (w[second + 3] & 0xff) << 8 | (w[second + 4] & 0xff);
    int rawAt = second + 5 + 10 + pad2;
    // then raw bytes
    assertThat(new String(w, rawAt, w.length - rawAt)).isEqualTo("after");

    VisionInputStream in = new VisionInputStream(new ByteArrayInputStream(w), UUID);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(CLIENT_HELLO);
    expected.write(appData);
    expected.write(after);
    assertThat(in.readAllBytes()).isEqualTo(expected.toByteArray());
  }

  @Test
  void nonTlsTrafficEndsPaddingAfterTheFilter() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    VisionOutputStream out = new VisionOutputStream(wire, UUID);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    int[] ends = new int[10];
    for (int i = 0; i < 10; i++) {
      byte[] b = ("GET /" + i + " HTTP/1.1\r\n").getBytes();
      out.write(b);
      sent.write(b);
      ends[i] = wire.size();
    }
    // writes 1..7 are padded (the 7th with end); 8..10 go raw
    int raw = ends[9] - ends[6];
    assertThat(raw).isEqualTo(sent.size() - sent.toString().indexOf("GET /7"));
    VisionInputStream in =
        new VisionInputStream(new ByteArrayInputStream(wire.toByteArray()), UUID);
    assertThat(in.readAllBytes()).isEqualTo(sent.toByteArray());
  }

  @Test
  void hostileInput() {
    assertThatThrownBy(() ->
            new VisionInputStream(new ByteArrayInputStream(HEX.parseHex("00".repeat(21))), UUID)
                .read())
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("UUID");
    byte[] direct = VisionPadding.block(UUID, VisionPadding.DIRECT, "x".getBytes(), 0, 1, 0);
    VisionInputStream in = new VisionInputStream(new ByteArrayInputStream(direct), UUID);
    assertThatThrownBy(in::readAllBytes)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("direct");
    byte[] bad = VisionPadding.block(UUID, 7, "x".getBytes(), 0, 1, 0);
    assertThatThrownBy(() -> new VisionInputStream(new ByteArrayInputStream(bad), UUID).read())
        .isInstanceOf(ProtocolException.class);
  }
}
