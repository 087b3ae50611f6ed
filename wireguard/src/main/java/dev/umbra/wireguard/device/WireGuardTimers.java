package dev.umbra.wireguard.device;

import java.util.concurrent.TimeUnit;

/** The protocol's time and message limits (whitepaper §6.1, wireguard-go constants.go). */
final class WireGuardTimers {
  static final long REKEY_AFTER_MESSAGES = 1L << 60;
  static final long REKEY_AFTER_TIME = TimeUnit.SECONDS.toNanos(120);
  static final long REJECT_AFTER_TIME = TimeUnit.SECONDS.toNanos(180);
  static final long REKEY_ATTEMPT_TIME = TimeUnit.SECONDS.toNanos(90);
  static final long REKEY_TIMEOUT = TimeUnit.SECONDS.toNanos(5);
  static final long KEEPALIVE_TIMEOUT = TimeUnit.SECONDS.toNanos(10);
  static final long MAX_JITTER = TimeUnit.MILLISECONDS.toNanos(334);
  static final int MAX_TIMER_HANDSHAKES = (int) (REKEY_ATTEMPT_TIME / REKEY_TIMEOUT);

  /** An initiator rekeys on receive once its keypair is this old. */
  static final long REKEY_ON_RECEIVE_AGE = REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT;

  /** At most 50 initiations per second are accepted from one peer. */
  static final long INITIATION_MIN_INTERVAL = TimeUnit.MILLISECONDS.toNanos(20);

  static final int MAX_STAGED_PACKETS = 128;

  private WireGuardTimers() {}
}
