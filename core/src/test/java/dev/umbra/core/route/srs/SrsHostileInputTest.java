package dev.umbra.core.route.srs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.Deflater;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Truncated, corrupt and oversized {@code .srs} input ends in an {@link SrsFormatException} with a
 * reason, never another exception, a loop or a large allocation.
 */
class SrsHostileInputTest {
  private static final HexFormat HEX = HexFormat.of();

  private static final byte[] GOOD =
      Srs.write(
          SrsJson.parse(
              "{\"version\":4,\"rules\":[{\"domain\":[\"a.com\",\"b.net\"],\"domain_suffix\":\"c.org\","
                  + "\"ip_cidr\":[\"10.0.0.0/8\",\"::1\"],\"port\":443,\"port_range\":\"1:2\"},"
                  + "{\"type\":\"logical\",\"mode\":\"or\",\"rules\":[{\"network\":\"udp\"},"
                  + "{\"default_interface_address\":\"1.2.3.4\"}]}]}",
              "t"));

  private static byte[] fileWithBody(int version, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'S', 'R', 'S', (byte) version});
    Deflater d = new Deflater();
    d.setInput(body);
    d.finish();
    byte[] buf = new byte[65536];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  @Test
  void badMagicAndVersions() {
    assertThatThrownBy(() -> Srs.read(new byte[0])).isInstanceOf(SrsFormatException.class);
    assertThatThrownBy(() -> Srs.read("SRX\1".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .hasMessageContaining("magic");
    byte[] v0 = GOOD.clone();
    v0[3] = 0;
    assertThatThrownBy(() -> Srs.read(v0)).hasMessageContaining("version 0");
    byte[] v5 = GOOD.clone();
    v5[3] = 5;
    assertThatThrownBy(() -> Srs.read(v5)).hasMessageContaining("version 5");
  }

  @Test
  void everyTruncationFailsCleanly() {
    for (int n = 0; n < GOOD.length; n++) {
      byte[] cut = Arrays.copyOf(GOOD, n);
      assertThatThrownBy(() -> Srs.read(cut)).isInstanceOf(SrsFormatException.class);
    }
    byte[] body = Srs.encodeBody(Srs.readUnchecked(GOOD));
    for (int n = 0; n < body.length; n++) {
      byte[] cut = Arrays.copyOf(body, n);
      assertThatThrownBy(() -> Srs.decodeBody(4, cut)).isInstanceOf(SrsFormatException.class);
    }
  }

  @Test
  void hugeCountsAreRefusedBeforeAllocating() {
    // 2^62 rules; 2^40 strings; u64 range count 2^63; 2^35 bitmap words.
    for (String body :
        new String[] {
          "80808080808080804000",
          "01 00 01 8080808080a0010000ff00",
          "01 00 06 01 8000000000000000",
          "01 00 02 00 808080808001",
          "01 00 02 00 00 808080808001",
          "01 00 02 00 00 00 ffffffff0f",
          "ffffffffffffffffffff01",
        }) {
      assertThatThrownBy(() -> Srs.decodeBody(2, HEX.parseHex(body.replace(" ", ""))))
          .as(body)
          .isInstanceOf(SrsFormatException.class);
    }
  }

  @Test
  void decompressionBombIsCapped() {
    assertThat(Srs.MAX_BODY_BYTES).isEqualTo(128 << 20);
    byte[] zeros = new byte[(2 << 20) + 1024];
    zeros[0] = 1; // one rule, then garbage: the cap must trigger before parsing
    assertThatThrownBy(() -> Srs.read(fileWithBody(2, zeros), 2 << 20))
        .hasMessageContaining("decompresses to more than");
  }

  @Test
  void unknownTypesAndModes() {
    assertThatThrownBy(() -> Srs.decodeBody(2, HEX.parseHex("0102ff00")))
        .hasMessageContaining("unknown rule type 2");
    assertThatThrownBy(() -> Srs.decodeBody(2, HEX.parseHex("0100" + "17ff00")))
        .hasMessageContaining("unknown rule item type 23");
    assertThatThrownBy(() -> Srs.decodeBody(2, HEX.parseHex("010102ff00")))
        .hasMessageContaining("unknown logical mode 2");
  }

  @Test
  void deepNestingIsRefused() {
    StringBuilder b = new StringBuilder("01");
    for (int i = 0; i < 100; i++) {
      b.append("010001");
    }
    assertThatThrownBy(() -> Srs.decodeBody(2, HEX.parseHex(b.toString())))
        .hasMessageContaining("nested deeper");
  }

  @Test
  void malformedTriesAreRefused() {
    // Root with no edges, then a node whose edge points at itself (bits 1, 0, 1).
    assertThatThrownBy(() ->
            Srs.decodeBody(
                2, HEX.parseHex("01 00 02 00 00 01 0000000000000005 01 61 ff00".replace(" ", ""))))
        .isInstanceOf(SrsFormatException.class);
    // Labels count disagreeing with the bitmap.
    assertThatThrownBy(() ->
            Srs.decodeBody(
                2,
                HEX.parseHex("01 00 02 00 00 01 0000000000000002 02 6161 ff00".replace(" ", ""))))
        .hasMessageContaining("do not form a trie");
    // An empty bitmap has no root.
    assertThatThrownBy(() -> Srs.decodeBody(2, HEX.parseHex("01000200000000ff00")))
        .hasMessageContaining("no root");
  }

  @Test
  void malformedIpRanges() {
    // from > to
    assertThatThrownBy(() ->
            Srs.decodeBody(2, HEX.parseHex("0100060100000000000000010402000000040100000000ff00")))
        .hasMessageContaining("ends before");
    // 5-byte address
    assertThatThrownBy(() ->
            Srs.decodeBody(2, HEX.parseHex("010006010000000000000001050100000000050100000000ff00")))
        .hasMessageContaining("byte addresses");
  }

  @Property(tries = 200)
  void flippedBytesNeverEscapeAsOtherExceptions(
      @ForAll @IntRange(min = 0, max = 10_000) int position, @ForAll byte value) {
    byte[] body = Srs.encodeBody(Srs.readUnchecked(GOOD));
    byte[] bad = body.clone();
    bad[position % bad.length] = value;
    try {
      RuleSetFile f = Srs.decodeBody(4, bad);
      // Whatever parsed must also match and re-encode without trouble.
      for (SrsRule r : f.rules()) {
        if (r instanceof SrsRule.Default d && d.domain() != null) {
          d.domain().matches("a.com");
          d.domain().matches("x.c.org");
          d.domain().dump();
        }
      }
      Srs.encodeBody(f);
    } catch (SrsFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    } catch (IllegalArgumentException versionGate) {
      // re-encoding at a version too low for an item the mutation introduced
      assertThat(versionGate.getMessage()).contains("version");
    }
  }

  @Property(tries = 200)
  void randomTrailingBytesAfterAHeader(@ForAll byte[] junk) {
    byte[] file = new byte[4 + junk.length];
    file[0] = 'S';
    file[1] = 'R';
    file[2] = 'S';
    file[3] = 2;
    System.arraycopy(junk, 0, file, 4, junk.length);
    try {
      Srs.read(file);
    } catch (SrsFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
