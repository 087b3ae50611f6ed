package dev.umbra.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The gun message format byte for byte, round trips, and hostile input. */
class GunCodecTest {
  static final HexFormat HEX = HexFormat.of();

  static byte[] readAll(InputStream in, int step) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[step];
    int n;
    while ((n = in.read(buf, 0, step)) >= 0) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void encodesAsSingBoxAndXrayDo() {
    // 00 | u32 length of the protobuf | 0A (field 1, length-delimited) | varint | payload
    assertThat(HEX.formatHex(Gun.encode("abc".getBytes(), 0, 3))).isEqualTo("00000000050a03616263");
    assertThat(HEX.formatHex(Gun.encode(new byte[0], 0, 0))).isEqualTo("00000000020a00");
    byte[] big = Gun.encode(new byte[300], 0, 300);
    // 300 = varint ac 02; protobuf length = 1 + 2 + 300 = 303 = 0x12f
    assertThat(HEX.formatHex(big, 0, 9)).isEqualTo("000000012f0aac0200");
    assertThat(big).hasSize(8 + 300);
  }

  @Test
  void writerSplitsLongWritesIntoMessagesOfAtMost64KiB() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    byte[] data = new byte[Gun.MAX_CHUNK * 2 + 5];
    new GunWriter(wire).write(data);
    byte[] w = wire.toByteArray();
    // two full messages (64 KiB payload: varint 80 80 04) and a 5-byte one
    assertThat(HEX.formatHex(w, 0, 9)).isEqualTo("00000100040a808004");
    assertThat(w).hasSize(2 * (9 + Gun.MAX_CHUNK) + 7 + 5);
    assertThat(readAll(new GunReader(new ByteArrayInputStream(w)), 1000)).isEqualTo(data);
  }

  @Test
  void readerSkipsUnknownFieldsAndReadsSeveralDataFields() throws IOException {
    // field 2 varint (10 96 01), field 1 "hi", field 3 fixed32, field 1 "!"
    byte[] body = HEX.parseHex("1096010a02686915010203040a0121");
    byte[] msg = new byte[5 + body.length];
    msg[4] = (byte) body.length;
    System.arraycopy(body, 0, msg, 5, body.length);
    assertThat(new String(readAll(new GunReader(new ByteArrayInputStream(msg)), 7)))
        .isEqualTo("hi!");
  }

  @Property(tries = 200)
  void roundTripsAnyWritesAndReadSizes(
      @ForAll @Size(max = 12) List<@Size(max = 70_000) byte[]> writes,
      @ForAll @IntRange(min = 1, max = 20_000) int readStep)
      throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    GunWriter w = new GunWriter(wire);
    for (byte[] b : writes) {
      w.write(b);
      expected.write(b);
    }
    byte[] got = readAll(new GunReader(new ByteArrayInputStream(wire.toByteArray())), readStep);
    assertThat(got).isEqualTo(expected.toByteArray());
  }

  static void assertRefused(String hex, Class<? extends IOException> type, String message) {
    assertThatThrownBy(
            () -> readAll(new GunReader(new ByteArrayInputStream(HEX.parseHex(hex))), 64))
        .isInstanceOf(type)
        .hasMessageContaining(message);
  }

  @Test
  void hostileInputIsRefused() {
    assertRefused("0100000005" + "0a03616263", ProtocolException.class, "compressed");
    assertRefused("00ffffffff", ProtocolException.class, "exceeds");
    assertRefused("000000000c" + "0a" + "ff".repeat(10) + "01", ProtocolException.class, "varint");
    assertRefused("0000000004" + "0a7f6162", ProtocolException.class, "overruns");
    assertRefused("0000000002" + "0a", EOFException.class, "ended");
    assertRefused("0000000005" + "0a05616263", ProtocolException.class, "overruns");
    assertRefused("0000000001" + "0f", ProtocolException.class, "wire type");
    assertRefused("0000000001" + "08", ProtocolException.class, "overruns");
    assertRefused("0000000002" + "0001", ProtocolException.class, "field number 0");
    assertRefused("000000", EOFException.class, "prefix");
    assertRefused("0000000005" + "0a03", EOFException.class, "inside a message");
  }

  @Test
  void aSmallerLimitRefusesLongerMessages() {
    byte[] m = Gun.encode(new byte[100], 0, 100);
    assertThatThrownBy(() -> readAll(new GunReader(new ByteArrayInputStream(m), 50), 64))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("exceeds 50");
  }
}
