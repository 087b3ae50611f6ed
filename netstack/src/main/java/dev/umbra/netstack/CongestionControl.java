package dev.umbra.netstack;

/**
 * A sender's congestion window. The connection tells it about acknowledged bytes, loss detected by
 * duplicate ACKs/SACK (fast recovery) and retransmission timeouts; it answers with the window in
 * bytes. Loss recovery itself (what to retransmit) stays in the connection, so a model-based
 * controller such as BBR can implement this interface too. Called under the connection's lock.
 */
public interface CongestionControl {

  /** The congestion window in bytes. */
  int cwnd();

  /** The slow-start threshold in bytes. */
  int ssthresh();

  /**
   * New data acknowledged outside fast recovery: {@code acked} bytes, {@code rttMicros} the latest
   * smoothed RTT (0 if unknown), {@code nowNanos} a monotonic clock.
   */
  void onAck(int acked, long rttMicros, long nowNanos);

  /** Fast retransmit: loss seen with {@code flight} bytes outstanding; sets the new window. */
  void onLoss(int flight, long nowNanos);

  /** Fast recovery ended (the whole window before the loss is acknowledged). */
  void onRecoveryEnd();

  /** Retransmission timeout with {@code flight} bytes outstanding: back to one segment. */
  void onTimeout(int flight, long nowNanos);

  /**
   * The last reduction ({@link #onTimeout} or {@link #onLoss}) was spurious (RFC 4015, detected
   * with timestamps): restore the window from before it.
   */
  void undo();

  /**
   * Creates a controller by name ("cubic" or "newreno") for a sender of segment size {@code mss}.
   */
  static CongestionControl create(String name, int mss) {
    return switch (name) {
      case "cubic" -> new Cubic(mss);
      case "newreno", "reno" -> new NewReno(mss);
      default -> throw new IllegalArgumentException("unknown congestion control '" + name + "'");
    };
  }

  /** RFC 5681 initial window (RFC 6928's ten segments, as current stacks use). */
  static int initialWindow(int mss) {
    return 10 * mss;
  }
}
