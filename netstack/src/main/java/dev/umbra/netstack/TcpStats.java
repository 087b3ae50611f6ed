package dev.umbra.netstack;

import java.util.concurrent.atomic.LongAdder;

/** Counters of a stack's TCP, for tests and metrics. */
public final class TcpStats {
  final LongAdder segmentsIn = new LongAdder();
  final LongAdder segmentsOut = new LongAdder();
  final LongAdder retransmits = new LongAdder();
  final LongAdder fastRetransmits = new LongAdder();
  final LongAdder timeouts = new LongAdder();
  final LongAdder persistProbes = new LongAdder();
  final LongAdder dupAcks = new LongAdder();
  final LongAdder outOfOrder = new LongAdder();
  final LongAdder sackBlocksIn = new LongAdder();
  final LongAdder resetsOut = new LongAdder();
  final LongAdder resetsIn = new LongAdder();
  final LongAdder challengeAcks = new LongAdder();
  final LongAdder malformed = new LongAdder();
  final LongAdder synsDropped = new LongAdder();
  final LongAdder pawsDropped = new LongAdder();
  final LongAdder spuriousTimeouts = new LongAdder();
  final LongAdder internalErrors = new LongAdder();

  /** Segments handed to a connection or answered by the stack. */
  public long segmentsIn() {
    return segmentsIn.sum();
  }

  public long segmentsOut() {
    return segmentsOut.sum();
  }

  /** Segments sent again (by any cause). */
  public long retransmits() {
    return retransmits.sum();
  }

  /** Fast retransmits (entries into fast recovery). */
  public long fastRetransmits() {
    return fastRetransmits.sum();
  }

  /** Retransmission timeouts that fired. */
  public long timeouts() {
    return timeouts.sum();
  }

  /** Zero-window probes sent by the persist timer. */
  public long persistProbes() {
    return persistProbes.sum();
  }

  public long dupAcks() {
    return dupAcks.sum();
  }

  /** Data segments received out of order (kept for reassembly). */
  public long outOfOrder() {
    return outOfOrder.sum();
  }

  public long sackBlocksIn() {
    return sackBlocksIn.sum();
  }

  public long resetsOut() {
    return resetsOut.sum();
  }

  public long resetsIn() {
    return resetsIn.sum();
  }

  public long challengeAcks() {
    return challengeAcks.sum();
  }

  /** Segments dropped as malformed (bad offsets, options, checksums). */
  public long malformed() {
    return malformed.sum();
  }

  /** SYNs dropped or half-open entries evicted because of the half-open cap. */
  public long synsDropped() {
    return synsDropped.sum();
  }

  /** Retransmission timeouts found spurious by their timestamps and undone. */
  public long spuriousTimeouts() {
    return spuriousTimeouts.sum();
  }

  /** Segments whose processing failed with an unexpected exception (a bug; the conn is aborted). */
  public long internalErrors() {
    return internalErrors.sum();
  }

  public long pawsDropped() {
    return pawsDropped.sum();
  }

  @Override
  public String toString() {
    return "in=%d out=%d rtx=%d fast=%d rto=%d/%d probes=%d dupacks=%d ooo=%d sack=%d rst=%d/%d"
        .formatted(
            segmentsIn(),
            segmentsOut(),
            retransmits(),
            fastRetransmits(),
            timeouts(),
            spuriousTimeouts(),
            persistProbes(),
            dupAcks(),
            outOfOrder(),
            sackBlocksIn(),
            resetsOut(),
            resetsIn());
  }
}
