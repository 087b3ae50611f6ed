package dev.umbra.tor.cell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The conflux relay messages against the layout of prop 329 / tor's conflux.trunnel. */
class ConfluxTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void linkLayout() throws TorProtocolException {
    byte[] nonce = new byte[32];
    for (int i = 0; i < 32; i++) {
      nonce[i] = (byte) i;
    }
    byte[] body = new Conflux.Link(nonce, 0x0102030405060708L, 0x1112131415161718L, 3).encode();
    // version 1 | nonce[32] | last_seqno_sent u64 | last_seqno_recv u64 | desired_ux u8
    assertThat(HEX.formatHex(body))
        .isEqualTo(
            "01"
                + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                + "0102030405060708"
                + "1112131415161718"
                + "03");
    Conflux.Link back = Conflux.Link.decode(body);
    assertThat(back.nonce()).isEqualTo(nonce);
    assertThat(back.lastSeqSent()).isEqualTo(0x0102030405060708L);
    assertThat(back.lastSeqRecv()).isEqualTo(0x1112131415161718L);
    assertThat(back.desiredUx()).isEqualTo(Conflux.UX_HIGH_THROUGHPUT);
  }

  @Test
  void linkedFromAnExitWithTrailingBytesIsAccepted() throws TorProtocolException {
    byte[] body = new Conflux.Link(new byte[32], 0, 0, Conflux.UX_MIN_LATENCY).encode();
    byte[] longer = Arrays.copyOf(body, body.length + 7);
    assertThat(Conflux.Link.decode(longer).desiredUx()).isEqualTo(Conflux.UX_MIN_LATENCY);
  }

  @Test
  void hostileLinkBodiesAreRefused() {
    byte[] good = new Conflux.Link(new byte[32], 0, 0, 1).encode();
    assertThatThrownBy(() -> Conflux.Link.decode(new byte[0]))
        .isInstanceOf(TorProtocolException.class);
    byte[] v2 = good.clone();
    v2[0] = 2;
    assertThatThrownBy(() -> Conflux.Link.decode(v2)).hasMessageContaining("version 2");
    assertThatThrownBy(() -> Conflux.Link.decode(Arrays.copyOf(good, good.length - 1)))
        .hasMessageContaining("bytes");
    byte[] ux = good.clone();
    ux[ux.length - 1] = 5;
    assertThatThrownBy(() -> Conflux.Link.decode(ux)).hasMessageContaining("UX");
    byte[] huge = good.clone();
    huge[33] = (byte) 0x80; // last_seqno_sent >= 2^63
    assertThatThrownBy(() -> Conflux.Link.decode(huge)).hasMessageContaining("2^63");
  }

  @Test
  void switchLayout() throws TorProtocolException {
    assertThat(HEX.formatHex(Conflux.switchBody(0x01020304L))).isEqualTo("01020304");
    assertThat(Conflux.switchSeq(HEX.parseHex("fffffffe"))).isEqualTo(0xFFFF_FFFEL);
    // C tor before 0.4.9 set the message length to 498: the first four bytes count
    byte[] padded = new byte[RelayCell.MAX_DATA];
    padded[3] = 31;
    assertThat(Conflux.switchSeq(padded)).isEqualTo(31);
    assertThatThrownBy(() -> Conflux.switchSeq(new byte[3]))
        .isInstanceOf(TorProtocolException.class);
    assertThatThrownBy(() -> Conflux.switchBody(1L << 32))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void confluxCommandsInARelayCell() throws TorProtocolException {
    byte[] p = new RelayCell(RelayCell.CONFLUX_SWITCH, 0, Conflux.switchBody(10)).encode();
    RelayCell rc = RelayCell.decode(p);
    assertThat(rc.command()).isEqualTo(22);
    assertThat(rc.streamId()).isZero();
    assertThat(Conflux.switchSeq(rc.data())).isEqualTo(10);
    assertThat(RelayCell.CONFLUX_LINK).isEqualTo(19);
    assertThat(RelayCell.CONFLUX_LINKED).isEqualTo(20);
    assertThat(RelayCell.CONFLUX_LINKED_ACK).isEqualTo(21);
  }

  @Property
  void linkRoundTrip(
      @ForAll @Size(32) byte[] nonce,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long sent,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long recv,
      @ForAll @IntRange(min = 0, max = 4) int ux)
      throws TorProtocolException {
    Conflux.Link l = new Conflux.Link(nonce, sent, recv, ux);
    assertThat(Conflux.Link.decode(l.encode())).isEqualTo(l);
  }

  @Property
  void switchRoundTrip(@ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long seq)
      throws TorProtocolException {
    assertThat(Conflux.switchSeq(Conflux.switchBody(seq))).isEqualTo(seq);
  }
}
