package dev.umbra.tor.guard;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One guard of the sampled set (guard-spec §4.1): what persists across runs (sampled/confirmed
 * dates, listed state, fields we do not know, kept as they were) and what does not (reachability,
 * retry times, the pending flag). Guarded by the {@link GuardManager}'s lock.
 */
final class SampledGuard {
  /** guard-spec {is_reachable}. */
  enum Reachable {
    YES,
    NO,
    MAYBE
  }

  final String fingerprint;
  String nickname;
  Instant sampledOn;
  String sampledBy;
  boolean listed;
  Instant unlistedSince;
  Instant confirmedOn;

  /** Fields of the state line we do not interpret, written back unchanged (guard-spec A.5). */
  final Map<String, String> unknown = new LinkedHashMap<>();

  Reachable reachable = Reachable.MAYBE;
  Instant lastTriedConnect;
  Instant failingSince;
  boolean pending;

  SampledGuard(String fingerprint) {
    this.fingerprint = fingerprint;
  }

  @Override
  public String toString() {
    return (nickname == null ? "" : nickname + "~") + fingerprint;
  }
}
