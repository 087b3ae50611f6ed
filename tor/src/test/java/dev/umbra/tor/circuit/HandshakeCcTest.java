package dev.umbra.tor.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.tor.cell.TorProtocolException;
import org.junit.jupiter.api.Test;

/** The ntor-v3 extension list of prop 324 §10.3 as the relay answers it. */
class HandshakeCcTest {
  @Test
  void grantedIncrementIsRead() throws Exception {
    assertThat(Handshake.ccResponse(new byte[] {1, 2, 1, 31}, true)).isEqualTo(31);
    // unknown fields are skipped, the first CC response wins
    assertThat(Handshake.ccResponse(new byte[] {3, 9, 2, 7, 7, 2, 1, 33, 2, 1, 99}, true))
        .isEqualTo(33);
  }

  @Test
  void noExtensionsMeansFixedWindows() throws Exception {
    assertThat(Handshake.ccResponse(new byte[0], true)).isZero();
    assertThat(Handshake.ccResponse(new byte[] {0}, true)).isZero();
    assertThat(Handshake.ccResponse(new byte[] {1, 9, 0}, false)).isZero();
  }

  @Test
  void hostileAnswersAreRefused() {
    assertThatThrownBy(() -> Handshake.ccResponse(new byte[] {1, 2, 1, 31}, false))
        .isInstanceOf(TorProtocolException.class)
        .hasMessageContaining("did not request");
    assertThatThrownBy(() -> Handshake.ccResponse(new byte[] {1, 2, 1, 0}, true))
        .isInstanceOf(TorProtocolException.class);
    assertThatThrownBy(() -> Handshake.ccResponse(new byte[] {1, 2, 5, 31}, true))
        .isInstanceOf(TorProtocolException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> Handshake.ccResponse(new byte[] {2, 2, 1, 31}, true))
        .isInstanceOf(TorProtocolException.class);
  }
}
