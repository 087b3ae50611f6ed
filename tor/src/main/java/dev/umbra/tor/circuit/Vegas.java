package dev.umbra.tor.circuit;

/**
 * Tor-Vegas congestion control (prop 324 §3.3) for the cells this client sends on one circuit: a
 * congestion window in cells, the count in flight, and an RTT estimate from SENDME timing. No I/O:
 * the circuit calls {@link #onSent()} per DATA cell and {@link #onSendme(long)} per SENDME. Queue
 * use is estimated as {@code cwnd - BDP} with the congestion-window BDP estimator ({@code cwnd *
 * minRtt / ewmaRtt}), the one C tor uses in practice.
 */
final class Vegas {
  private final CcParams p;
  private final int inc;
  private long cwnd;
  private long inflight;
  private boolean slowStart = true;
  private boolean cwndFull;
  private long nextCcEvent;
  private long nextCwndEvent;
  private long ewmaRttNanos;
  private long minRttNanos;
  private long updates;

  Vegas(CcParams params, int sendmeInc) {
    this.p = params;
    this.inc = sendmeInc;
    this.cwnd = params.cwndInit();
  }

  int sendmeInc() {
    return inc;
  }

  CcParams params() {
    return p;
  }

  /** True while the window has room for one more cell. */
  boolean canSend() {
    return inflight < cwnd;
  }

  void onSent() {
    inflight++;
  }

  /**
   * A SENDME acknowledged {@link #sendmeInc()} cells; {@code rttNanos} is the time since the cell
   * that triggered it was sent.
   */
  void onSendme(long rttNanos) {
    if (nextCcEvent > 0) {
      nextCcEvent--;
    }
    if (nextCwndEvent > 0) {
      nextCwndEvent--;
    }
    if (!updateRtt(rttNanos)) {
      inflight = Math.max(0, inflight - inc);
      return;
    }
    long bdp = minRttNanos > 0 && ewmaRttNanos > 0 ? cwnd * minRttNanos / ewmaRttNanos : cwnd;
    long queueUse = bdp > cwnd ? 0 : cwnd - bdp;
    if (inflight + (long) p.cwndFullGap() * inc >= cwnd) {
      cwndFull = true;
    } else if (100 * inflight < (long) p.cwndFullMinPct() * cwnd) {
      cwndFull = false;
    }
    if (slowStart) {
      if (queueUse < p.vegasGamma()) {
        if (cwndFull) {
          long step = ssIncrement();
          cwnd += step;
          if (step * sendmesPerCwnd() <= (long) p.cwndInc() * p.cwndIncRate()) {
            slowStart = false;
          }
        }
      } else {
        slowStart = false;
        cwnd = bdp + p.vegasGamma();
      }
      if (cwnd >= p.ssMax()) {
        cwnd = p.ssMax();
        slowStart = false;
      }
    } else if (nextCcEvent == 0) {
      if (queueUse > p.vegasDelta()) {
        cwnd = bdp + p.vegasDelta() - p.cwndInc();
      } else if (queueUse > p.vegasBeta()) {
        cwnd -= p.cwndInc();
      } else if (cwndFull && queueUse < p.vegasAlpha()) {
        cwnd += p.cwndInc();
      }
      if (cwnd <= p.cwndMin()) {
        cwnd = p.cwndMin();
        minRttNanos = ewmaRttNanos; // cc_rtt_reset_pct=100: escape starvation
      }
    }
    cwnd = Math.min(Math.max(cwnd, p.cwndMin()), p.cwndMax());
    if (nextCcEvent == 0) {
      nextCcEvent = updateRate();
    }
    if (nextCwndEvent == 0) {
      nextCwndEvent = sendmesPerCwnd();
    }
    if (p.cwndFullPerCwnd() ? nextCwndEvent == sendmesPerCwnd() : nextCcEvent == updateRate()) {
      cwndFull = false;
    }
    inflight = Math.max(0, inflight - inc);
    updates++;
  }

  /**
   * N-EWMA smoothing with the clock-jump heuristics of §2.1.1; false when the sample is unusable.
   */
  private boolean updateRtt(long rtt) {
    if (rtt <= 0) {
      return false;
    }
    if (ewmaRttNanos > 0 && !slowStart) {
      if (rtt / 5000 > ewmaRttNanos || rtt * 5000 < ewmaRttNanos) {
        return false;
      }
    }
    if (ewmaRttNanos == 0) {
      ewmaRttNanos = rtt;
    } else {
      long n =
          slowStart
              ? p.ewmaSs()
              : Math.max(Math.min(updateRate() * p.ewmaCwndPct() / 100, p.ewmaMax()), 2);
      ewmaRttNanos = (rtt * 2 + ewmaRttNanos * (n - 1)) / (n + 1);
    }
    if (minRttNanos == 0 || ewmaRttNanos < minRttNanos) {
      minRttNanos = ewmaRttNanos;
    }
    return true;
  }

  private long ssIncrement() {
    if (cwnd <= p.ssCap()) {
      return Math.max(1, Math.round(p.cwndIncPctSs() * inc / 100.0));
    }
    return Math.max(Math.round((double) inc * p.ssCap() / (2.0 * cwnd)), 1);
  }

  private long sendmesPerCwnd() {
    return (cwnd + inc / 2) / inc;
  }

  private long updateRate() {
    if (slowStart) {
      return 1;
    }
    long r = (long) p.cwndIncRate() * inc;
    return Math.max(1, (cwnd + r / 2) / r);
  }

  long cwnd() {
    return cwnd;
  }

  long inflight() {
    return inflight;
  }

  boolean inSlowStart() {
    return slowStart;
  }

  long ewmaRttNanos() {
    return ewmaRttNanos;
  }

  long minRttNanos() {
    return minRttNanos;
  }

  long updates() {
    return updates;
  }
}
