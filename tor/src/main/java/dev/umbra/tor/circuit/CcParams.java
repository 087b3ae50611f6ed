package dev.umbra.tor.circuit;

/**
 * The consensus parameters of congestion control (prop 324, param-spec) for exit circuits, with C
 * tor 0.4.8's defaults and ranges. {@code alg} 0 means congestion control is off and circuits keep
 * fixed SENDME windows.
 */
public record CcParams(
    int alg,
    int sendmeInc,
    int cwndInit,
    int cwndMin,
    int cwndMax,
    int cwndInc,
    int cwndIncRate,
    int cwndIncPctSs,
    int ssMax,
    int ssCap,
    int vegasAlpha,
    int vegasBeta,
    int vegasGamma,
    int vegasDelta,
    int cwndFullGap,
    int cwndFullMinPct,
    boolean cwndFullPerCwnd,
    int ewmaCwndPct,
    int ewmaMax,
    int ewmaSs,
    int xoffClient) {

  /** Looks up one consensus parameter, clamped to its range, or its default when absent. */
  @FunctionalInterface
  public interface Source {
    int param(String name, int dflt, int min, int max);
  }

  private static final int OUTBUF_CELLS = 62;

  /** The defaults, as if the consensus said nothing but {@code cc_alg=2}. */
  public static final CcParams DEFAULTS = from((n, d, lo, hi) -> n.equals("cc_alg") ? 2 : d);

  public static CcParams from(Source s) {
    return new CcParams(
        s.param("cc_alg", 0, 0, 3),
        s.param("cc_sendme_inc", 31, 1, 254),
        s.param("cc_cwnd_init", 4 * 31, 31, 10_000),
        s.param("cc_cwnd_min", 31, 31, 1000),
        s.param("cc_cwnd_max", Integer.MAX_VALUE, 500, Integer.MAX_VALUE),
        s.param("cc_cwnd_inc", 31, 1, 1000),
        s.param("cc_cwnd_inc_rate", 1, 1, 250),
        s.param("cc_cwnd_inc_pct_ss", 100, 1, 500),
        s.param("cc_ss_max", 5000, 500, Integer.MAX_VALUE),
        s.param("cc_sscap_exit", 600, 100, Integer.MAX_VALUE),
        s.param("cc_vegas_alpha_exit", 3 * OUTBUF_CELLS, 0, 1000),
        s.param("cc_vegas_beta_exit", 4 * OUTBUF_CELLS, 0, 1000),
        s.param("cc_vegas_gamma_exit", 3 * OUTBUF_CELLS, 0, 1000),
        s.param("cc_vegas_delta_exit", 5 * OUTBUF_CELLS, 0, Integer.MAX_VALUE),
        s.param("cc_cwnd_full_gap", 4, 0, Short.MAX_VALUE),
        s.param("cc_cwnd_full_minpct", 25, 0, 100),
        s.param("cc_cwnd_full_per_cwnd", 1, 0, 1) == 1,
        s.param("cc_ewma_cwnd_pct", 50, 1, 255),
        s.param("cc_ewma_max", 10, 2, Integer.MAX_VALUE),
        s.param("cc_ewma_ss", 2, 2, Integer.MAX_VALUE),
        s.param("cc_xoff_client", 500, 1, 10_000));
  }

  /** Vegas is the one algorithm this client runs; 1 and 3 (Westwood, NOLA) were retired. */
  public boolean enabled() {
    return alg == 2;
  }
}
