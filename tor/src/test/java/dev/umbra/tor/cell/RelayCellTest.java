package dev.umbra.tor.cell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RelayCellTest {
  @Test
  void headerLayout() throws TorProtocolException {
    byte[] p = new RelayCell(RelayCell.DATA, 0x1234, new byte[] {9, 8, 7}).encode();
    assertThat(p).hasSize(509);
    assertThat(HexFormat.of().formatHex(p, 0, 14)).isEqualTo("020000123400000000000309" + "0807");
    // four zero bytes after the data, then random padding
    assertThat(HexFormat.of().formatHex(p, 14, 18)).isEqualTo("00000000");
    assertThat(RelayCell.decode(p)).isEqualTo(new RelayCell(2, 0x1234, new byte[] {9, 8, 7}));
  }

  @Property
  void roundTrip(
      @ForAll @IntRange(min = 0, max = 255) int cmd,
      @ForAll @IntRange(min = 0, max = 65535) int stream,
      @ForAll @Size(max = 498) byte[] data)
      throws TorProtocolException {
    RelayCell rc = new RelayCell(cmd, stream, data);
    assertThat(RelayCell.decode(rc.encode())).isEqualTo(rc);
  }

  @Property
  void hostileLengthsAreRejected(@ForAll @IntRange(min = 499, max = 65535) int len) {
    byte[] p = new byte[509];
    p[9] = (byte) (len >>> 8);
    p[10] = (byte) len;
    assertThatThrownBy(() -> RelayCell.decode(p)).isInstanceOf(TorProtocolException.class);
  }

  @Test
  void oversizedDataCannotBeBuilt() {
    assertThatThrownBy(() -> new RelayCell(2, 1, new byte[499]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void beginBodyAndEndReasons() throws TorProtocolException {
    byte[] b = StreamMessages.begin("example.com", 443, StreamMessages.FLAG_IPV6_OK);
    assertThat(new String(b, 0, 15, StandardCharsets.US_ASCII)).isEqualTo("example.com:443");
    assertThat(HexFormat.of().formatHex(b, 15, 20)).isEqualTo("0000000001");
    assertThat(new String(StreamMessages.begin("::1", 80, 0), 0, 8, StandardCharsets.US_ASCII))
        .isEqualTo("[::1]:80");
    assertThat(StreamMessages.endReason(new byte[0])).isEqualTo(1);
    assertThat(StreamMessages.endReasonName(3)).isEqualTo("CONNECTREFUSED");
    assertThat(StreamMessages.endReasonName(200)).isEqualTo("reason 200");
    byte[] digest = new byte[20];
    digest[19] = 5;
    assertThat(StreamMessages.sendmeDigest(StreamMessages.sendmeV1(digest))).isEqualTo(digest);
    assertThat(StreamMessages.sendmeDigest(new byte[0])).isNull();
    assertThatThrownBy(() -> StreamMessages.sendmeDigest(new byte[] {2, 0, 1, 0}))
        .isInstanceOf(TorProtocolException.class);
    assertThatThrownBy(() -> StreamMessages.sendmeDigest(new byte[] {1, 0, 20, 0}))
        .isInstanceOf(TorProtocolException.class);
  }

  @Test
  void resolvedAnswers() throws Exception {
    byte[] body = {4, 4, 10, 0, 0, 1, 0, 0, 0, 60, 0, 3, 'a', 'b', 'c', 0, 0, 0, 1};
    assertThat(Resolved.addresses(body, "h"))
        .containsExactly(java.net.InetAddress.getByAddress("h", new byte[] {10, 0, 0, 1}));
    assertThatThrownBy(() -> Resolved.addresses(new byte[] {(byte) 0xF0, 0, 0, 0, 0, 0}, "h"))
        .isInstanceOf(java.net.UnknownHostException.class)
        .hasMessageContaining("transient");
    assertThatThrownBy(() -> Resolved.addresses(new byte[] {4, 3, 1, 2, 3, 0, 0, 0, 0}, "h"))
        .isInstanceOf(TorProtocolException.class);
    assertThatThrownBy(() -> Resolved.addresses(new byte[0], "h"))
        .isInstanceOf(java.net.UnknownHostException.class);
  }

  @Property
  void hostileResolvedOnlyRaisesExpectedErrors(@ForAll @Size(max = 300) byte[] body) {
    try {
      Resolved.addresses(body, "h");
    } catch (TorProtocolException | java.net.UnknownHostException expected) {
      // fine
    }
  }
}
