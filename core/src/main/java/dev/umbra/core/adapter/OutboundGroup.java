package dev.umbra.core.adapter;

import java.util.List;

/** An outbound that delegates to one of its members (selector, urltest, fallback, loadbalance). */
public interface OutboundGroup extends Outbound {
  /** The member tags, in configuration order. */
  List<String> members();

  /** The tag of the member that would be used now. */
  String now();
}
