package dev.umbra.tor.cell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CellCodecTest {
  @Test
  void versionsCellUsesTwoByteCircuitIds() throws IOException {
    byte[] wire = CellCodec.initial().encode(Versions.encode(4, 5));
    assertThat(HexFormat.of().formatHex(wire)).isEqualTo("0000" + "07" + "0004" + "00040005");
    assertThat(Versions.decode(CellCodec.initial().decode(wire))).containsExactly(4, 5);
    assertThat(Versions.highestCommon(List.of(3, 4, 5), 4, 5)).isEqualTo(5);
    assertThat(Versions.highestCommon(List.of(1, 2, 3), 4, 5)).isEqualTo(-1);
  }

  @Test
  void fixedCellsAre514BytesFromLinkProtocol4() throws IOException {
    Cell c = Cell.fixed(0x80000001, Cell.CREATE2, new byte[] {1, 2, 3});
    byte[] wire = new CellCodec(4).encode(c);
    assertThat(wire).hasSize(514);
    assertThat(HexFormat.of().formatHex(wire, 0, 8)).isEqualTo("800000010a010203");
    assertThat(new CellCodec(4).decode(wire)).isEqualTo(c);
    assertThat(new CellCodec(3).encode(Cell.fixed(7, Cell.RELAY, new byte[0]))).hasSize(512);
  }

  @Test
  void variableCellsCarryTheirLength() throws IOException {
    Cell c = new Cell(0, Cell.VPADDING, new byte[700]);
    byte[] wire = new CellCodec(5).encode(c);
    assertThat(wire).hasSize(4 + 1 + 2 + 700);
    assertThat(new CellCodec(5).decode(wire)).isEqualTo(c);
  }

  @Property
  void roundTripsAnyCell(
      @ForAll @IntRange(min = 0, max = 255) int command,
      @ForAll int circId,
      @ForAll @Size(max = 509) byte[] body,
      @ForAll @IntRange(min = 3, max = 5) int link)
      throws IOException {
    CellCodec codec = new CellCodec(link);
    int id = link >= 4 ? circId : circId & 0xFFFF;
    Cell c = Cell.isVariable(command) ? new Cell(id, command, body) : Cell.fixed(id, command, body);
    assertThat(codec.decode(codec.encode(c))).isEqualTo(c);
  }

  @Property
  void truncatedCellsAreRejected(
      @ForAll @Size(min = 1, max = 600) byte[] garbage,
      @ForAll @IntRange(min = 3, max = 5) int link) {
    CellCodec codec = new CellCodec(link);
    try {
      Cell c = codec.read(new ByteArrayInputStream(garbage));
      assertThat(c.payload().length).isLessThanOrEqualTo(garbage.length);
    } catch (IOException expected) {
      assertThat(expected).isInstanceOfAny(EOFException.class, TorProtocolException.class);
    }
  }

  @Test
  void emptyStreamIsEof() {
    assertThatThrownBy(() -> new CellCodec(4).read(new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void netinfoRoundTrip() throws IOException {
    Netinfo n =
        new Netinfo(
            1234567890L,
            InetAddress.getByAddress(new byte[] {127, 0, 0, 1}),
            List.of(InetAddress.getByAddress(new byte[] {10, 1, 2, 3})));
    Netinfo back = Netinfo.decode(n.encode());
    assertThat(back).isEqualTo(n);
  }

  @Property
  void hostileLinkBodiesOnlyRaiseProtocolErrors(@ForAll @Size(max = 600) byte[] body) {
    for (int cmd : new int[] {Cell.NETINFO, Cell.CERTS, Cell.VERSIONS}) {
      Cell c = Cell.isVariable(cmd) ? new Cell(0, cmd, body) : Cell.fixed(0, cmd, trim(body));
      try {
        switch (cmd) {
          case Cell.NETINFO -> Netinfo.decode(c);
          case Cell.CERTS -> CertsCell.decode(c);
          default -> Versions.decode(c);
        }
      } catch (TorProtocolException expected) {
        // the only allowed failure
      }
    }
  }

  @Test
  void certsCellRejectsDuplicatesAndTrailingBytes() throws TorProtocolException {
    CertsCell two =
        new CertsCell(
            List.of(
                new CertsCell.Entry(4, new byte[] {1}), new CertsCell.Entry(4, new byte[] {2})));
    CertsCell back = CertsCell.decode(two.encode());
    assertThatThrownBy(() -> back.single(4)).hasMessageContaining("duplicate");
    assertThatThrownBy(() -> back.single(5)).hasMessageContaining("missing");
    byte[] extra =
        java.util.Arrays.copyOf(two.encode().payload(), two.encode().payload().length + 1);
    assertThatThrownBy(() -> CertsCell.decode(new Cell(0, Cell.CERTS, extra)))
        .hasMessageContaining("trailing");
  }

  private static byte[] trim(byte[] b) {
    return b.length > 509 ? java.util.Arrays.copyOf(b, 509) : b;
  }
}
