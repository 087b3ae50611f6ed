package dev.umbra.dns.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import tech.kwik.qpack.Encoder;

/** HTTP/3 framing for DoH3: RFC 9000 integer vectors, requests, responses, hostile input. */
class Http3CodecTest {
  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  static byte[] varint(long v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Http3Codec.writeVarint(out, v);
    return out.toByteArray();
  }

  static byte[] frame(long type, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Http3Codec.writeFrame(out, type, payload);
    return out.toByteArray();
  }

  static byte[] headers(Map<String, String> fields) {
    ByteBuffer b = Encoder.newBuilder().build().compressHeaders(List.copyOf(fields.entrySet()));
    b.flip();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return frame(Http3Codec.FRAME_HEADERS, out);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static Http3Codec.Response response(byte[] stream) throws IOException {
    return Http3Codec.readResponse(new ByteArrayInputStream(stream));
  }

  @Test
  void variableLengthIntegersMatchRfc9000AppendixA1() throws IOException {
    // RFC 9000 §A.1 sample decodings
    assertThat(Http3Codec.readVarint(new ByteArrayInputStream(hex("c2197c5eff14e88c"))))
        .isEqualTo(151_288_809_941_952_652L);
    assertThat(Http3Codec.readVarint(new ByteArrayInputStream(hex("9d7f3e7d"))))
        .isEqualTo(494_878_333L);
    assertThat(Http3Codec.readVarint(new ByteArrayInputStream(hex("7bbd")))).isEqualTo(15_293);
    assertThat(Http3Codec.readVarint(new ByteArrayInputStream(hex("25")))).isEqualTo(37);
    assertThat(Http3Codec.readVarint(new ByteArrayInputStream(hex("4025")))).isEqualTo(37);
    assertThat(varint(151_288_809_941_952_652L)).isEqualTo(hex("c2197c5eff14e88c"));
    assertThat(varint(494_878_333L)).isEqualTo(hex("9d7f3e7d"));
    assertThat(varint(15_293)).isEqualTo(hex("7bbd"));
    assertThat(varint(37)).isEqualTo(hex("25"));
    assertThat(Http3Codec.readVarint(new ByteArrayInputStream(new byte[0]))).isEqualTo(-1);
    assertThatThrownBy(() -> Http3Codec.readVarint(new ByteArrayInputStream(hex("9d7f"))))
        .isInstanceOf(IOException.class);
  }

  @Property(tries = 200)
  void integersRoundTrip(@ForAll @LongRange(min = 0, max = (1L << 62) - 1) long v)
      throws IOException {
    byte[] b = varint(v);
    assertThat(b.length).isEqualTo(v < 64 ? 1 : v < 16_384 ? 2 : v < (1L << 30) ? 4 : 8);
    assertThat(Http3Codec.readVarint(new ByteArrayInputStream(b))).isEqualTo(v);
  }

  @Test
  void theControlStreamStartsWithItsTypeAndSettings() throws IOException {
    byte[] preface = Http3Codec.controlStreamPreface();
    // stream type 0x00, SETTINGS (0x04) of 5 bytes: MAX_FIELD_SECTION_SIZE (0x06) = 16384
    assertThat(preface).isEqualTo(hex("00" + "04" + "05" + "06" + "80004000"));
    var in = new ByteArrayInputStream(preface, 1, preface.length - 1);
    var f = Http3Codec.readFrame(in, 64, 0, new int[1]);
    assertThat(Http3Codec.settings(f.payload())).containsExactly(Map.entry(6L, 16_384L));
  }

  @Test
  void aPostIsOneHeadersFrameThenOneDataFrameWithTheMessage() throws IOException {
    byte[] body = {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    byte[] stream =
        Http3Codec.request(
            "POST",
            "dns.example",
            "/dns-query",
            List.of(Map.entry("content-type", "application/dns-message")),
            body);
    var in = new ByteArrayInputStream(stream);
    var h = Http3Codec.readFrame(in, 4096, 4096, new int[1]);
    assertThat(h.type()).isEqualTo(Http3Codec.FRAME_HEADERS);
    assertThat(Http3Codec.decode(h.payload()))
        .containsEntry(":method", "POST")
        .containsEntry(":scheme", "https")
        .containsEntry(":authority", "dns.example")
        .containsEntry(":path", "/dns-query")
        .containsEntry("content-type", "application/dns-message");
    // the DATA frame byte by byte: type 0, length 12, the message
    byte[] rest = in.readAllBytes();
    assertThat(rest).isEqualTo(concat(hex("000c"), body));
  }

  @Test
  void aGetHasNoDataFrame() throws IOException {
    byte[] stream = Http3Codec.request("GET", "a", "/q?dns=AAAB", List.of(), new byte[0]);
    var in = new ByteArrayInputStream(stream);
    assertThat(Http3Codec.readFrame(in, 4096, 4096, new int[1]).type())
        .isEqualTo(Http3Codec.FRAME_HEADERS);
    assertThat(Http3Codec.readFrame(in, 4096, 4096, new int[1])).isNull();
  }

  @Test
  void responsesSkipInterimHeadersUnknownFramesAndTrailers() throws IOException {
    byte[] stream =
        concat(
            headers(Map.of(":status", "103")),
            frame(0x21, new byte[5]), // a reserved frame type (0x1f * N + 0x21), ignored
            headers(Map.of(":status", "200", "content-type", "application/dns-message")),
            frame(Http3Codec.FRAME_DATA, new byte[] {1, 2}),
            frame(Http3Codec.FRAME_DATA, new byte[] {3}),
            headers(Map.of("x-trailer", "t")));
    Http3Codec.Response r = response(stream);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/dns-message");
    assertThat(r.body()).containsExactly(1, 2, 3);
  }

  @Test
  void hostileResponsesAreProtocolErrorsWithTheirCodes() {
    byte[] ok = headers(Map.of(":status", "200"));
    Object[][] cases = {
      // a body over 65535 bytes
      {
        concat(ok, frame(0, new byte[40_000]), frame(0, new byte[30_000])),
        Http3Codec.H3_MESSAGE_ERROR
      },
      // DATA before HEADERS
      {frame(0, new byte[] {1}), Http3Codec.H3_FRAME_UNEXPECTED},
      // no :status
      {headers(Map.of("content-type", "x")), Http3Codec.H3_MESSAGE_ERROR},
      // an empty stream
      {new byte[0], Http3Codec.H3_MESSAGE_ERROR},
      // a frame cut short
      {concat(ok, hex("0005"), new byte[2]), Http3Codec.H3_FRAME_ERROR},
      // SETTINGS on a request stream
      {concat(ok, frame(Http3Codec.FRAME_SETTINGS, new byte[0])), Http3Codec.H3_FRAME_UNEXPECTED},
      // an HTTP/2 frame type
      {concat(ok, frame(0x06, new byte[8])), Http3Codec.H3_FRAME_UNEXPECTED},
      // PUSH_PROMISE without MAX_PUSH_ID
      {concat(ok, frame(Http3Codec.FRAME_PUSH_PROMISE, new byte[] {0})), Http3Codec.H3_ID_ERROR},
      // a huge header section announced
      {concat(hex("01"), varint(1L << 40)), Http3Codec.H3_FRAME_ERROR},
      // too much of unknown frames
      {concat(ok, frame(0x21, new byte[20_000])), Http3Codec.H3_FRAME_ERROR},
      // HEADERS after the trailers
      {
        concat(ok, frame(0, new byte[1]), headers(Map.of("a", "b")), headers(Map.of("c", "d"))),
        Http3Codec.H3_FRAME_UNEXPECTED
      },
      // a field section QPACK cannot decode (an indexed field line cut short)
      {frame(Http3Codec.FRAME_HEADERS, hex("0000ff")), 0x200L},
    };
    for (Object[] c : cases) {
      assertThatThrownBy(() -> response((byte[]) c[0]))
          .isInstanceOfSatisfying(
              Http3Codec.Http3Exception.class, e -> assertThat(e.code).isEqualTo((long) c[1]));
    }
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> Http3Codec.settings(hex("0600" + "0601")))
        .isInstanceOf(Http3Codec.Http3Exception.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> Http3Codec.settings(hex("0200")))
        .isInstanceOf(Http3Codec.Http3Exception.class)
        .hasMessageContaining("HTTP/2");
    assertThatThrownBy(() -> Http3Codec.settings(hex("06")))
        .isInstanceOf(Http3Codec.Http3Exception.class);
  }
}
