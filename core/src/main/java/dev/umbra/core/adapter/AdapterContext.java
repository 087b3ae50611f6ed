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
}
