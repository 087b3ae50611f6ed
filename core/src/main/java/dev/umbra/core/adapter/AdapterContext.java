package dev.umbra.core.adapter;

import dev.umbra.core.config.DialOptions;

/** What a protocol factory may use to build its inbound or outbound. */
public interface AdapterContext {
  Router router();

  OutboundManager outbounds();

  /**
   * A dialer honouring the dial fields; with {@code detour} set it dials through that outbound,
   * looked up when the first dial happens.
   */
  Dialer dialer(DialOptions options);

  Resolver resolver();

  /** Finds an inbound by tag (for listen {@code detour}); valid once every inbound is built. */
  default java.util.Optional<Inbound> inbound(String tag) {
    return java.util.Optional.empty();
  }
}
