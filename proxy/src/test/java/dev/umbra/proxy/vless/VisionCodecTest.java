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
  static final byte[] UUID = HEX.parseHex("b831381d63244d53ad4f8cda48b30811");

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

  static final byte[] CLIENT_HELLO = HEX.parseHex("160301002a01" + "00".repeat(42));

  /** A ServerHello with session id length 32, cipher 0x1301 and supported_versions TLS 1.3. */
  static byte[] serverHello() {
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

  /** A ServerHello as {@link #serverHello()} with another cipher. */
  static byte[] serverHello(int cipher) {
    byte[] b = serverHello();
    b[43 + 32 + 1] = (byte) (cipher >>> 8);
    b[43 + 32 + 2] = (byte) cipher;
    return b;
  }

  @Test
  void filterEnablesXtlsOnlyForTls13WithoutCcm8() {
    for (int cipher : new int[] {0x1301, 0x1302, 0x1303, 0x1304}) {
      VisionFilter f = new VisionFilter();
      byte[] sh = serverHello(cipher);
      f.inspect(sh, 0, sh.length);
      assertThat(f.enableXtls).as("cipher %x", cipher).isTrue();
    }
    for (int cipher : new int[] {0x1305, 0xc02f}) {
      VisionFilter f = new VisionFilter();
      byte[] sh = serverHello(cipher);
      f.inspect(sh, 0, sh.length);
      assertThat(f.tls13).isTrue();
      assertThat(f.enableXtls).as("cipher %x", cipher).isFalse();
    }
    // TLS 1.2: a whole ServerHello without supported_versions 1.3 ends the filter, no XTLS
    VisionFilter f = new VisionFilter();
    byte[] sh = serverHello();
    System.arraycopy(new byte[6], 0, sh, 90, 6);
    f.inspect(sh, 0, sh.length);
    assertThat(f.tls12OrAbove).isTrue();
    assertThat(f.tls13).isFalse();
    assertThat(f.enableXtls).isFalse();
    assertThat(f.active()).isFalse();
  }

  @Test
  void completeRecordsAndReshape() {
    assertThat(VisionFilter.completeRecords(appData(5, 300), 0, 5 * 305)).isTrue();
    byte[] two = appData(2, 10);
    assertThat(VisionFilter.completeRecords(two, 0, two.length - 1)).isFalse();
    assertThat(VisionFilter.completeRecords(HEX.parseHex("1703030000"), 0, 5)).isFalse();
    assertThat(VisionFilter.completeRecords(HEX.parseHex("1603030001ff"), 0, 6)).isFalse();
    // a full 8192-byte buffer is cut at its last record start; one without any in the middle
    byte[] big = appData(3, 5000); // records at 0, 5005, 10010
    assertThat(VisionPadding.reshape(big, 0, big.length))
        .extracting(p -> p[0] + "+" + p[1])
        .containsExactly("0+5005", "5005+3187", "8192+6823");
    byte[] plain = new byte[9000];
    assertThat(VisionPadding.reshape(plain, 0, plain.length))
        .extracting(p -> p[0] + "+" + p[1])
        .containsExactly("0+4096", "4096+4096", "8192+808");
  }

  /** {@code n} application data records of {@code size} body bytes each. */
  static byte[] appData(int n, int size) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Random r = new Random(n * 31L + size);
    for (int i = 0; i < n; i++) {
      byte[] body = new byte[size];
      r.nextBytes(body);
      b.writeBytes(new byte[] {0x17, 0x03, 0x03, (byte) (size >>> 8), (byte) size});
      b.writeBytes(body);
    }
    return b.toByteArray();
  }

  /** One parsed block, by an independent reading of the published layout. */
  record Block(int command, byte[] content, int padding) {}

  /** Parses blocks from {@code w} at {@code at} (after the UUID) until a non-continue one. */
  static java.util.List<Block> blocks(byte[] w, int[] at) {
    java.util.List<Block> out = new java.util.ArrayList<>();
    while (true) {
      int i = at[0];
      int command = w[i] & 0xff;
      int len = (w[i + 1] & 0xff) << 8 | (w[i + 2] & 0xff);
      int pad = (w[i + 3] & 0xff) << 8 | (w[i + 4] & 0xff);
      out.add(new Block(command, java.util.Arrays.copyOfRange(w, i + 5, i + 5 + len), pad));
      at[0] = i + 5 + len + pad;
      if (command != VisionPadding.CONTINUE || at[0] >= w.length) {
        return out;
      }
    }
  }

  private static VisionOutputStream writer(
      ByteArrayOutputStream tls, ByteArrayOutputStream direct, VisionFilter f) {
    return new VisionOutputStream(
        tls, () -> direct, new VisionEncoder(UUID, f, new Random(5)), null);
  }

  private static VisionInputStream reader(java.io.InputStream wire) {
    return new VisionInputStream(wire, wire, () -> wire, UUID, new VisionFilter(), false);
  }

  @Test
  void writerPadsTheHandshakeAndEndsAtApplicationData() throws IOException {
    // only the ClientHello seen: TLS, but XTLS not enabled, so padding ends with end
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ByteArrayOutputStream direct = new ByteArrayOutputStream();
    VisionOutputStream out = writer(wire, direct, new VisionFilter());
    out.write(CLIENT_HELLO);
    byte[] appData = HEX.parseHex("1703030005" + "0102030405");
    out.write(appData);
    byte[] after = "after".getBytes();
    out.write(after);
    assertThat(out.direct()).isFalse();
    assertThat(direct.size()).isZero();
    byte[] w = wire.toByteArray();
    // first block: uuid, continue, the 48-byte ClientHello, long padding (900..1399 - 48)
    assertThat(HEX.formatHex(w, 0, 19)).isEqualTo(HEX.formatHex(UUID) + "00" + "0030");
    int pad1 = (w[19] & 0xff) << 8 | (w[20] & 0xff);
    assertThat(pad1).isBetween(900 - 48, 1399 - 48);
    int second = 21 + 48 + pad1;
    // second block: no uuid, end, the application data record (long padding too)
    assertThat(HEX.formatHex(w, second, second + 3)).isEqualTo("01000a");
    int pad2 = (w[second + 3] & 0xff) << 8 | (w[second + 4] & 0xff);
    assertThat(pad2).isBetween(900 - 10, 1399 - 10);
    int rawAt = second + 5 + 10 + pad2;
    // then raw bytes, still inside the outer TLS
    assertThat(new String(w, rawAt, w.length - rawAt)).isEqualTo("after");

    VisionInputStream in = reader(new ByteArrayInputStream(w));
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(CLIENT_HELLO);
    expected.write(appData);
    expected.write(after);
    assertThat(in.readAllBytes()).isEqualTo(expected.toByteArray());
    assertThat(in.direct()).isFalse();
  }

  /**
   * The client's writer after its reader saw a TLS 1.3 ServerHello: ClientHello and the
   * ChangeCipherSpec padded with continue, then the first write of whole application data records
   * ends with direct, and the next write goes to the raw carrier.
   */
  @Test
  void writerSwitchesToDirectAfterATls13ServerHello() throws IOException {
    VisionFilter shared = new VisionFilter();
    ByteArrayOutputStream tls = new ByteArrayOutputStream();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    VisionOutputStream out = writer(tls, raw, shared);
    out.write(CLIENT_HELLO);
    byte[] sh = serverHello();
    shared.inspect(sh, 0, sh.length); // what the reader does with the server's padded content
    byte[] ccs = HEX.parseHex("140303000101");
    out.write(ccs);
    assertThat(out.direct()).isFalse();
    byte[] finished = appData(1, 53);
    out.write(finished);
    assertThat(out.direct()).isTrue();
    byte[] later = appData(4, 3000);
    out.write(later);

    byte[] w = tls.toByteArray();
    assertThat(java.util.Arrays.copyOf(w, 16)).isEqualTo(UUID);
    int[] at = {16};
    java.util.List<Block> blocks = blocks(w, at);
    assertThat(blocks).extracting(Block::command).containsExactly(0, 0, 2);
    assertThat(blocks.get(0).content()).isEqualTo(CLIENT_HELLO);
    assertThat(blocks.get(1).content()).isEqualTo(ccs);
    assertThat(blocks.get(2).content()).isEqualTo(finished);
    // all three long-padded: content + padding within 900..1399
    for (Block b : blocks) {
      assertThat(b.content().length + b.padding()).isBetween(900, 1399);
    }
    assertThat(at[0]).isEqualTo(w.length); // nothing after the direct block inside TLS
    assertThat(raw.toByteArray()).isEqualTo(later); // verbatim below the outer TLS
  }

  /** A large first application data write: every piece padded, the last with direct. */
  @Test
  void largeSwitchingWriteIsReshapedAndEndsWithDirect() throws IOException {
    VisionFilter shared = new VisionFilter();
    shared.inspect(CLIENT_HELLO, 0, CLIENT_HELLO.length);
    byte[] sh = serverHello(0x1303);
    shared.inspect(sh, 0, sh.length);
    ByteArrayOutputStream tls = new ByteArrayOutputStream();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    VisionOutputStream out = writer(tls, raw, shared);
    byte[] records = appData(3, 5000);
    out.write(records);
    byte[] w = tls.toByteArray();
    int[] at = {16};
    java.util.List<Block> blocks = blocks(w, at);
    assertThat(blocks).extracting(Block::command).containsExactly(0, 0, 2);
    assertThat(blocks).extracting(b -> b.content().length).containsExactly(5005, 3187, 6823);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (Block b : blocks) {
      joined.writeBytes(b.content());
      assertThat(16 + 5 + b.content().length + b.padding()).isLessThanOrEqualTo(8192);
    }
    assertThat(joined.toByteArray()).isEqualTo(records);
    assertThat(out.direct()).isTrue();
    assertThat(raw.size()).isZero();
  }

  /** CCM_8, TLS 1.2 or a write that is not whole records: no direct. */
  @Test
  void noDirectWithoutXtlsOrWholeRecords() throws IOException {
    VisionFilter ccm8 = new VisionFilter();
    byte[] sh = serverHello(0x1305);
    ccm8.inspect(CLIENT_HELLO, 0, CLIENT_HELLO.length);
    ccm8.inspect(sh, 0, sh.length);
    ByteArrayOutputStream tls = new ByteArrayOutputStream();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    VisionOutputStream out = writer(tls, raw, ccm8);
    byte[] half = appData(1, 100);
    out.write(half, 0, 60); // a record cut short: padded, still padding
    out.write(half, 60, half.length - 60);
    out.write(appData(1, 20)); // whole: end
    out.write("rest".getBytes());
    byte[] w = tls.toByteArray();
    int[] at = {16};
    assertThat(blocks(w, at)).extracting(Block::command).containsExactly(0, 0, 1);
    assertThat(new String(w, at[0], w.length - at[0])).isEqualTo("rest");
    assertThat(out.direct()).isFalse();
    assertThat(raw.size()).isZero();
  }

  @Test
  void nonTlsTrafficEndsPaddingAfterTheFilter() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    VisionOutputStream out = writer(wire, new ByteArrayOutputStream(), new VisionFilter());
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    int[] ends = new int[10];
    for (int i = 0; i < 10; i++) {
      byte[] b = ("GET /" + i + " HTTP/1.1\r\n").getBytes();
      out.write(b);
      sent.write(b);
      ends[i] = wire.size();
    }
    // writes 1..7 are padded (the 7th with end); 8..10 go raw, inside the outer TLS
    int raw = ends[9] - ends[6];
    assertThat(raw).isEqualTo(sent.size() - sent.toString().indexOf("GET /7"));
    VisionInputStream in = reader(new ByteArrayInputStream(wire.toByteArray()));
    assertThat(in.readAllBytes()).isEqualTo(sent.toByteArray());
  }

  /** The reader detaches right after the direct block's padding, not a byte earlier or later. */
  @Test
  void readerSwitchesRightAfterTheDirectBlock() throws IOException {
    ByteArrayOutputStream w = new ByteArrayOutputStream();
    w.writeBytes(VisionPadding.block(UUID, VisionPadding.CONTINUE, CLIENT_HELLO, 0, 48, 900));
    byte[] fin = appData(1, 40);
    w.writeBytes(VisionPadding.block(null, VisionPadding.DIRECT, fin, 0, fin.length, 17));
    int blocksEnd = w.size();
    byte[] raw = appData(3, 700);
    w.writeBytes(raw);
    int total = w.size();
    ByteArrayInputStream wire = new ByteArrayInputStream(w.toByteArray());
    int[] detachedAt = {-1};
    VisionInputStream in =
        new VisionInputStream(
            wire,
            wire,
            () -> {
              detachedAt[0] = total - wire.available();
              return wire;
            },
            UUID,
            new VisionFilter(),
            false);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(CLIENT_HELLO);
    expected.writeBytes(fin);
    expected.writeBytes(raw);
    assertThat(in.readAllBytes()).isEqualTo(expected.toByteArray());
    assertThat(detachedAt[0]).isEqualTo(blocksEnd);
    assertThat(in.direct()).isTrue();
  }

  @Test
  void hostileInput() throws IOException {
    assertThatThrownBy(() -> reader(new ByteArrayInputStream(HEX.parseHex("00".repeat(21)))).read())
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("UUID");
    // direct before any filter decision (first block, nothing inspected): Xray's reader switches
    // whenever the peer says so, and so does Umbra's
    byte[] direct = VisionPadding.block(UUID, VisionPadding.DIRECT, "x".getBytes(), 0, 1, 0);
    byte[] withRaw = java.util.Arrays.copyOf(direct, direct.length + 3);
    withRaw[direct.length] = 'r';
    withRaw[direct.length + 1] = 'a';
    withRaw[direct.length + 2] = 'w';
    VisionInputStream in = reader(new ByteArrayInputStream(withRaw));
    assertThat(new String(in.readAllBytes())).isEqualTo("xraw");
    assertThat(in.direct()).isTrue();
    byte[] bad = VisionPadding.block(UUID, 7, "x".getBytes(), 0, 1, 0);
    assertThatThrownBy(() -> reader(new ByteArrayInputStream(bad)).read())
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("unknown command 7");
    byte[] cut = VisionPadding.block(UUID, 0, "abc".getBytes(), 0, 3, 10);
    assertThatThrownBy(() ->
            reader(new ByteArrayInputStream(java.util.Arrays.copyOf(cut, cut.length - 1)))
                .readAllBytes())
        .isInstanceOf(java.io.EOFException.class)
        .hasMessageContaining("inside a block");
  }
}
