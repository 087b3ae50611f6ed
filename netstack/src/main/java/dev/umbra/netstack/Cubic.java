package dev.umbra.netstack;

/**
 * CUBIC congestion control (RFC 9438): the window grows as a cubic function of the time since the
 * last congestion event, centred on the window where loss happened, with the Reno-friendly region
 * and fast convergence. Windows are kept in segments as doubles and reported in bytes.
 */
final class Cubic implements CongestionControl {
  private static final double C = 0.4;
  private static final double BETA = 0.7;
  private static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

  private final int mss;
  private double cwnd; // segments
  private double ssthresh = Double.MAX_VALUE;
  private double wMax;
  private double wLastMax;
  private double k;
  private double wEst;
  private long epochStart = -1; // nanos; -1 = no congestion-avoidance epoch yet
  private double cwndAtEpoch;
  private double[] saved;

  Cubic(int mss) {
    this.mss = mss;
    this.cwnd = (double) CongestionControl.initialWindow(mss) / mss;
  }

  @Override
  public int cwnd() {
    return (int) Math.min(Integer.MAX_VALUE / 2, cwnd * mss);
  }

  @Override
  public int ssthresh() {
    return ssthresh >= Integer.MAX_VALUE / (double) mss
        ? Integer.MAX_VALUE
        : (int) (ssthresh * mss);
  }

  @Override
  public void onAck(int acked, long rttMicros, long nowNanos) {
    double segs = (double) acked / mss;
    if (cwnd < ssthresh) {
      cwnd += Math.min(segs, 2); // slow start, at most two segments per ACK (RFC 3465 L=2)
      return;
    }
    if (epochStart < 0) {
      epochStart = nowNanos;
      cwndAtEpoch = cwnd;
      wEst = cwnd;
      if (wMax < cwnd) {
        // no loss yet (or grown past it): start on the plateau at the current window
        k = 0;
        wMax = cwnd;
      } else {
        k = Math.cbrt((wMax - cwnd) / C);
      }
    }
    double rtt = rttMicros > 0 ? rttMicros / 1e6 : 0.1;
    double t = (nowNanos - epochStart) / 1e9;
    double target = C * Math.pow(t + rtt - k, 3) + wMax;
    target = Math.max(cwnd, Math.min(target, 1.5 * cwnd));
    wEst += ALPHA * segs / cwnd;
    if (wEst > target) {
      cwnd += segs * (wEst - cwnd) / cwnd;
    } else {
      cwnd += segs * (target - cwnd) / cwnd;
    }
    cwnd = Math.min(cwnd, 1 << 20);
  }

  @Override
  public void onLoss(int flight, long nowNanos) {
    reduce();
    cwnd = ssthresh;
  }

  private void reduce() {
    saved = new double[] {cwnd, ssthresh, wMax, wLastMax};
    wMax = cwnd < wLastMax ? cwnd * (1 + BETA) / 2 : cwnd; // fast convergence
    wLastMax = cwnd;
    ssthresh = Math.max(cwnd * BETA, 2);
    epochStart = -1;
  }

  @Override
  public void onRecoveryEnd() {
    cwnd = ssthresh;
  }

  @Override
  public void onTimeout(int flight, long nowNanos) {
    reduce();
    cwnd = 1;
  }

  @Override
  public void undo() {
    if (saved != null) {
      cwnd = Math.max(cwnd, saved[0]);
      ssthresh = Math.max(ssthresh, saved[1]);
      wMax = saved[2];
      wLastMax = saved[3];
      epochStart = -1;
      saved = null;
    }
  }
}
