package dev.umbra.dns.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class DnsCodecTest {

  static byte[] header(int id, int flags, int qd, int an, int ns, int ar) {
    return new byte[] {
      (byte) (id >> 8), (byte) id, (byte) (flags >> 8), (byte) flags,
      (byte) (qd >> 8), (byte) qd, (byte) (an >> 8), (byte) an,
      (byte) (ns >> 8), (byte) ns, (byte) (ar >> 8), (byte) ar
    };
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  static Message sampleResponse() throws Exception {
    Message m =
        Message.newQuery(Record.newRecord(Name.fromString("a.example."), Type.A, DClass.IN));
    m.getHeader().setFlag(Flags.QR);
    m.addRecord(
        new ARecord(
            Name.fromString("a.example."), DClass.IN, 60, InetAddress.getByName("192.0.2.1")),
        Section.ANSWER);
    m.addRecord(
        new TXTRecord(Name.fromString("a.example."), DClass.IN, 60, "hello"), Section.ADDITIONAL);
    return m;
  }

  @Test
  void roundTripsAResponse() throws Exception {
    Message m = sampleResponse();
    Message back = DnsCodec.parse(DnsCodec.encode(m), DnsLimits.DEFAULT);
    assertThat(back.getQuestion().getName()).isEqualTo(Name.fromString("a.example."));
    assertThat(back.getSection(Section.ANSWER)).hasSize(1);
    assertThat(((ARecord) back.getSection(Section.ANSWER).getFirst()).getAddress().getHostAddress())
        .isEqualTo("192.0.2.1");
    assertThat(back.getHeader().getID()).isEqualTo(m.getHeader().getID());
  }

  @Test
  void compressionPointerToItselfIsRefused() {
    // question name at offset 12 is a pointer to offset 12
    byte[] wire = concat(header(1, 0x0100, 1, 0, 0, 0), new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1});
    assertThatThrownBy(() -> DnsCodec.parse(wire, DnsLimits.DEFAULT))
        .isInstanceOf(DnsFormatException.class);
  }

  @Test
  void twoPointerLoopIsRefused() {
    // offset 12 -> 14, offset 14 -> 12
    byte[] wire =
        concat(
            header(1, 0x0100, 1, 0, 0, 0),
            new byte[] {(byte) 0xc0, 14, (byte) 0xc0, 12, 0, 1, 0, 1});
    assertThatThrownBy(() -> DnsCodec.parse(wire, DnsLimits.DEFAULT))
        .isInstanceOf(DnsFormatException.class);
  }

  @Test
  void forwardPointerIsRefused() {
    byte[] wire =
        concat(header(1, 0x0100, 1, 0, 0, 0), new byte[] {(byte) 0xc0, 20, 0, 1, 0, 1, 1, 'a', 0});
    assertThatThrownBy(() -> DnsCodec.parse(wire, DnsLimits.DEFAULT))
        .isInstanceOf(DnsFormatException.class);
  }

  @Test
  void everyTruncationOfAValidMessageIsACleanError() throws Exception {
    byte[] wire = DnsCodec.encode(sampleResponse());
    for (int len = 0; len < wire.length; len++) {
      byte[] cut = Arrays.copyOf(wire, len);
      assertThatThrownBy(() -> DnsCodec.parse(cut, DnsLimits.DEFAULT))
          .as("cut at %d", len)
          .isInstanceOf(DnsFormatException.class);
    }
  }

  @Test
  void recordDataRunningPastTheEndIsRefused() throws Exception {
    byte[] wire = DnsCodec.encode(sampleResponse());
    // the A record's rdlength sits right before its 4 address bytes; find "00 04 c0 00 02 01"
    int at = indexOf(wire, new byte[] {0, 4, (byte) 192, 0, 2, 1});
    assertThat(at).isPositive();
    wire[at] = (byte) 0xff;
    assertThatThrownBy(() -> DnsCodec.parse(wire, DnsLimits.DEFAULT))
        .isInstanceOf(DnsFormatException.class);
  }

  @Test
  void lyingRecordCountsAreRefusedBeforeParsing() {
    byte[] wire = header(1, 0x8180, 1, 65_535, 0, 0);
    assertThatThrownBy(() -> DnsCodec.parse(wire, DnsLimits.DEFAULT))
        .isInstanceOf(DnsFormatException.class)
        .hasMessageContaining("claims 65535 records");
    byte[] many = header(1, 0x8180, 1000, 1000, 1000, 0);
    assertThatThrownBy(() -> DnsCodec.parse(many, DnsLimits.DEFAULT))
        .isInstanceOf(DnsFormatException.class)
        .hasMessageContaining("3000 records");
  }

  @Test
  void queryLimitsAreTighter() throws Exception {
    byte[] wire = DnsCodec.encode(sampleResponse());
    assertThat(DnsCodec.parse(wire, DnsLimits.QUERY).getQuestion()).isNotNull();
    byte[] big = new byte[5000];
    System.arraycopy(wire, 0, big, 0, wire.length);
    assertThatThrownBy(() -> DnsCodec.parse(big, DnsLimits.QUERY))
        .isInstanceOf(DnsFormatException.class)
        .hasMessageContaining("exceeds the limit");
  }

  @Test
  void reservedLabelTypesAndOverlongNamesAreRefused() {
    byte[] reserved = concat(header(1, 0x0100, 1, 0, 0, 0), new byte[] {0x40, 'a', 0, 0, 1, 0, 1});
    assertThatThrownBy(() -> DnsCodec.parse(reserved, DnsLimits.DEFAULT))
        .isInstanceOf(DnsFormatException.class);
    // 5 labels of 63 bytes = 320 > 255
    byte[] name = new byte[5 * 64 + 1];
    for (int i = 0; i < 5; i++) {
      name[i * 64] = 63;
      Arrays.fill(name, i * 64 + 1, i * 64 + 64, (byte) 'a');
    }
    byte[] overlong = concat(header(1, 0x0100, 1, 0, 0, 0), name, new byte[] {0, 1, 0, 1});
    assertThatThrownBy(() -> DnsCodec.parse(overlong, DnsLimits.DEFAULT))
        .isInstanceOf(DnsFormatException.class);
  }

  @Test
  void truncatingEncodeSetsTc() throws Exception {
    Message m = sampleResponse();
    for (int i = 0; i < 40; i++) {
      m.addRecord(
          new TXTRecord(Name.fromString("a.example."), DClass.IN, 60, "x".repeat(200)),
          Section.ANSWER);
    }
    byte[] wire = DnsCodec.encode(m, 512);
    assertThat(wire.length).isLessThanOrEqualTo(512);
    Message back = DnsCodec.parse(wire, DnsLimits.DEFAULT);
    assertThat(back.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(back.getRcode()).isEqualTo(Rcode.NOERROR);
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
