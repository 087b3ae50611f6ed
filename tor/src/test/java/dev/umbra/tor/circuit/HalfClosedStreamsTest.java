package dev.umbra.tor.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.tor.cell.RelayCell;
import dev.umbra.tor.cell.TorProtocolException;
import org.junit.jupiter.api.Test;

class HalfClosedStreamsTest {
  private static RelayCell cell(int cmd, int id) {
    return new RelayCell(cmd, id, cmd == RelayCell.DATA ? new byte[] {1} : new byte[0]);
  }

  @Test
  void lateDataIsAbsorbedUpToTheWindowThatWasLeft() throws Exception {
    HalfClosedStreams h = new HalfClosedStreams();
    h.add(7, 2, 1, false, false);
    assertThat(h.absorb(cell(RelayCell.DATA, 7))).isTrue();
    assertThat(h.absorb(cell(RelayCell.DATA, 7))).isTrue();
    assertThatThrownBy(() -> h.absorb(cell(RelayCell.DATA, 7)))
        .isInstanceOf(TorProtocolException.class)
        .hasMessageContaining("beyond the window");
  }

  @Test
  void sendmesConnectedAndEndFollowTheRules() throws Exception {
    HalfClosedStreams h = new HalfClosedStreams();
    h.add(9, -1, 1, true, false);
    assertThat(h.absorb(cell(RelayCell.CONNECTED, 9))).isTrue();
    assertThatThrownBy(() -> h.absorb(cell(RelayCell.CONNECTED, 9)))
        .isInstanceOf(TorProtocolException.class);
    for (int i = 0; i < 100; i++) {
      assertThat(h.absorb(cell(RelayCell.DATA, 9))).isTrue(); // unlimited under CC
    }
    assertThat(h.absorb(cell(RelayCell.SENDME, 9))).isTrue();
    assertThatThrownBy(() -> h.absorb(cell(RelayCell.SENDME, 9)))
        .isInstanceOf(TorProtocolException.class);
    assertThatThrownBy(() -> h.absorb(cell(RelayCell.BEGIN, 9)))
        .isInstanceOf(TorProtocolException.class);
    assertThat(h.absorb(cell(RelayCell.END, 9))).isTrue();
    assertThat(h.contains(9)).isFalse();
    assertThat(h.absorb(cell(RelayCell.DATA, 9))).isFalse();
  }

  @Test
  void theNumberOfRecordsIsBounded() {
    HalfClosedStreams h = new HalfClosedStreams();
    for (int i = 1; i <= HalfClosedStreams.MAX + 10; i++) {
      h.add(i, 0, 0, false, false);
    }
    assertThat(h.size()).isEqualTo(HalfClosedStreams.MAX);
    assertThat(h.contains(1)).isFalse();
    assertThat(h.contains(HalfClosedStreams.MAX + 10)).isTrue();
  }
}
