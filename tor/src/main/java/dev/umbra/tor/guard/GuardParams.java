package dev.umbra.tor.guard;

import dev.umbra.tor.dir.Consensus;
import java.time.Duration;

/**
 * The guard-spec parameters (appendix A.1), read from the consensus' {@code params} line with the
 * spec's defaults and bounds (param-spec "guard-*").
 */
public record GuardParams(
    int maxSampleThresholdPercent,
    int maxSampleSize,
    Duration lifetime,
    Duration removeUnlistedAfter,
    int minFilteredSample,
    int nPrimary,
    int nUsablePrimary,
    int nUsablePrimaryDir,
    Duration confirmedMinLifetime,
    Duration internetLikelyDown,
    Duration nonprimaryConnectTimeout,
    Duration nonprimaryIdleTimeout) {

  public static final GuardParams DEFAULTS =
      new GuardParams(
          20,
          60,
          Duration.ofDays(120),
          Duration.ofDays(20),
          20,
          3,
          1,
          3,
          Duration.ofDays(60),
          Duration.ofSeconds(600),
          Duration.ofSeconds(15),
          Duration.ofSeconds(600));

  public static GuardParams from(Consensus c) {
    if (c == null) {
      return DEFAULTS;
    }
    return new GuardParams(
        c.param("guard-max-sample-threshold-percent", 20, 1, 100),
        c.param("guard-max-sample-size", 60, 1, Integer.MAX_VALUE),
        Duration.ofDays(c.param("guard-lifetime-days", 120, 1, 3650)),
        Duration.ofDays(c.param("guard-remove-unlisted-guards-after-days", 20, 1, 365)),
        c.param("guard-min-filtered-sample-size", 20, 1, Integer.MAX_VALUE),
        c.param("guard-n-primary-guards", 3, 1, Integer.MAX_VALUE),
        c.param("guard-n-primary-guards-to-use", 1, 1, Integer.MAX_VALUE),
        c.param("guard-n-primary-dir-guards-to-use", 3, 1, Integer.MAX_VALUE),
        Duration.ofDays(c.param("guard-confirmed-min-lifetime-days", 60, 1, 3650)),
        Duration.ofSeconds(
            c.param("guard-internet-likely-down-interval", 600, 1, Integer.MAX_VALUE)),
        Duration.ofSeconds(
            c.param("guard-nonprimary-guard-connect-timeout", 15, 1, Integer.MAX_VALUE)),
        Duration.ofSeconds(
            c.param("guard-nonprimary-guard-idle-timeout", 600, 1, Integer.MAX_VALUE)));
  }
}
