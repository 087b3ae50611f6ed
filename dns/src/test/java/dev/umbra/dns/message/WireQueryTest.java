package dev.umbra.dns.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The wire reading behind cache hits: plain queries only, everything else left to dnsjava. */
class WireQueryTest {

  static Message query(String name) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), Type.AAAA, DClass.IN));
  }

  @Test
  void readsAPlainQueryAndItsEdnsSize() throws Exception {
    Message m = query("WwW.Example.TEST.");
    m.getHeader().setID(0xbeef);
    byte[] w = m.toWire();
    WireQuery q = WireQuery.parse(w, w.length);
    assertThat(q).isNotNull();
    assertThat(q.id()).isEqualTo(0xbeef);
    assertThat(q.type()).isEqualTo(Type.AAAA);
    assertThat(q.dclass()).isEqualTo(DClass.IN);
    assertThat(q.payloadSize()).isEqualTo(-1);
    assertThat(q.udpLimit()).isEqualTo(512);
    assertThat(q.canonicalName()).isEqualTo(Name.fromString("www.example.test.").toWireCanonical());

    m.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    byte[] e = m.toWire();
    assertThat(WireQuery.parse(e, e.length).udpLimit()).isEqualTo(4096);
  }

  @Test
  void leavesEverythingButPlainQueriesToTheFullPath() throws Exception {
    Message withOption = query("a.test.");
    withOption.addRecord(
        new OPTRecord(
            1232, 0, 0, 0, java.util.List.of(new org.xbill.DNS.CookieOption(new byte[8]))),
        Section.ADDITIONAL);
    byte[] w = withOption.toWire();
    assertThat(WireQuery.parse(w, w.length)).isNull();

    byte[] plain = query("a.test.").toWire();
    byte[] response = plain.clone();
    response[2] |= (byte) 0x80;
    assertThat(WireQuery.parse(response, response.length)).isNull();
    byte[] trailing = Arrays.copyOf(plain, plain.length + 1);
    assertThat(WireQuery.parse(trailing, trailing.length)).isNull();
    assertThat(WireQuery.parse(plain, plain.length - 1)).isNull();
    byte[] pointer = plain.clone();
    pointer[12] = (byte) 0xc0;
    assertThat(WireQuery.parse(pointer, pointer.length)).isNull();
  }

  /**
   * Whatever bytes arrive, parsing returns or gives up, and what it accepts dnsjava reads alike.
   */
  @Property(tries = 2000)
  void neverThrowsAndAgreesWithDnsjava(@ForAll @Size(max = 80) byte[] junk) {
    WireQuery q = WireQuery.parse(junk, junk.length);
    if (q != null) {
      try {
        Message m = DnsCodec.parse(junk, DnsLimits.QUERY);
        assertThat(m.getQuestion().getType()).isEqualTo(q.type());
        assertThat(m.getQuestion().getName().toWireCanonical()).isEqualTo(q.canonicalName());
      } catch (DnsFormatException e) {
        // dnsjava may still refuse what we read as plain (e.g. an unknown class): the full path
        // would too, and a cache hit needs a cached answer for the same question
      }
    }
  }
}
