package dev.umbra.core.sniff;

/** A sniffer's verdict on the bytes seen so far. */
public sealed interface SniffOutcome {
  /** The bytes are this protocol. */
  record Match(SniffResult result) implements SniffOutcome {}

  /** The bytes are not this protocol. */
  record NoMatch() implements SniffOutcome {}

  /** A prefix of this protocol: more bytes are needed to decide. */
  record NeedMore() implements SniffOutcome {}

  NoMatch NO_MATCH = new NoMatch();
  NeedMore NEED_MORE = new NeedMore();
}
