package dev.umbra.netstack;

/** Slow start and congestion avoidance of RFC 5681 with appropriate byte counting (RFC 3465). */
final class NewReno implements CongestionControl {
  private final int mss;
  private int cwnd;
  private int ssthresh = Integer.MAX_VALUE;
  private long avoidanceBytes;
  private int savedCwnd;
  private int savedSsthresh;

  NewReno(int mss) {
    this.mss = mss;
    this.cwnd = CongestionControl.initialWindow(mss);
  }

  @Override
  public int cwnd() {
    return cwnd;
  }

  @Override
  public int ssthresh() {
    return ssthresh;
  }

  @Override
  public void onAck(int acked, long rttMicros, long nowNanos) {
    if (cwnd < ssthresh) {
      cwnd = (int) Math.min(Integer.MAX_VALUE / 2, (long) cwnd + Math.min(acked, 2L * mss));
      return;
    }
    avoidanceBytes += acked;
    if (avoidanceBytes >= cwnd) {
      avoidanceBytes -= cwnd;
      cwnd = Math.min(Integer.MAX_VALUE / 2, cwnd + mss);
    }
  }

  @Override
  public void onLoss(int flight, long nowNanos) {
    save();
    ssthresh = Math.max(flight / 2, 2 * mss);
    cwnd = ssthresh;
    avoidanceBytes = 0;
  }

  @Override
  public void onRecoveryEnd() {
    cwnd = ssthresh;
  }

  @Override
  public void onTimeout(int flight, long nowNanos) {
    save();
    ssthresh = Math.max(flight / 2, 2 * mss);
    cwnd = mss;
    avoidanceBytes = 0;
  }

  private void save() {
    savedCwnd = cwnd;
    savedSsthresh = ssthresh;
  }

  @Override
  public void undo() {
    if (savedCwnd > 0) {
      cwnd = Math.max(cwnd, savedCwnd);
      ssthresh = Math.max(ssthresh, savedSsthresh);
    }
  }
}
