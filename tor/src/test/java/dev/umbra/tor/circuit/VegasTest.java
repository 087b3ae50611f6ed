package dev.umbra.tor.circuit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VegasTest {
  private static final long MS = 1_000_000L;

  /** Sends until the window is full, then acknowledges one SENDME's worth with this RTT. */
  private static void roundTrip(Vegas v, long rttNanos) {
    while (v.canSend()) {
      v.onSent();
    }
    v.onSendme(rttNanos);
  }

  @Test
  void startsAtTheInitialWindowAndBlocksWhenFull() {
    Vegas v = new Vegas(CcParams.DEFAULTS, 31);
    assertThat(v.cwnd()).isEqualTo(124);
    for (int i = 0; i < 124; i++) {
      assertThat(v.canSend()).isTrue();
      v.onSent();
    }
    assertThat(v.canSend()).isFalse();
    v.onSendme(10 * MS);
    assertThat(v.canSend()).isTrue();
    assertThat(v.inflight()).isLessThan(124);
  }

  @Test
  void slowStartGrowsTheWindowWhileTheRttStaysFlat() {
    Vegas v = new Vegas(CcParams.DEFAULTS, 31);
    for (int i = 0; i < 40; i++) {
      roundTrip(v, 10 * MS);
    }
    assertThat(v.cwnd()).isGreaterThan(600);
    assertThat(v.ewmaRttNanos()).isEqualTo(10 * MS);
  }

  @Test
  void queueingDelayEndsSlowStartAndShrinksTheWindow() {
    Vegas v = new Vegas(CcParams.DEFAULTS, 31);
    for (int i = 0; i < 20; i++) {
      roundTrip(v, 10 * MS);
    }
    long grown = v.cwnd();
    // RTT triples: cwnd - BDP exceeds gamma, Vegas leaves slow start at BDP + gamma.
    for (int i = 0; i < 40; i++) {
      roundTrip(v, 30 * MS);
    }
    assertThat(v.inSlowStart()).isFalse();
    assertThat(v.cwnd()).isLessThan(grown);
    assertThat(v.cwnd()).isGreaterThanOrEqualTo(CcParams.DEFAULTS.cwndMin());
  }

  @Test
  void clockStallsAreIgnored() {
    Vegas v = new Vegas(CcParams.DEFAULTS, 31);
    roundTrip(v, 0);
    assertThat(v.ewmaRttNanos()).isZero();
    assertThat(v.cwnd()).isEqualTo(124);
  }

  @Test
  void paramsComeFromTheConsensusClamped() {
    CcParams p =
        CcParams.from((n, d, lo, hi) ->
            switch (n) {
              case "cc_alg" -> 2;
              case "cc_sendme_inc" -> Math.min(hi, 1000);
              default -> d;
            });
    assertThat(p.enabled()).isTrue();
    assertThat(p.sendmeInc()).isEqualTo(254);
    assertThat(CcParams.from((n, d, lo, hi) -> d).enabled()).isFalse();
  }
}
