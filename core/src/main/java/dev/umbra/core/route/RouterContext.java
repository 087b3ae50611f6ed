package dev.umbra.core.route;

import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.relay.ConnectionTracker;
import dev.umbra.core.relay.TrafficStats;
import java.nio.file.Path;
import java.util.Set;

/** What the router needs from the instance that builds it. */
public record RouterContext(
    OutboundManager outbounds,
    Set<String> inboundTags,
    Resolver resolver,
    TrafficStats stats,
    ConnectionTracker tracker,
    Path workingDirectory,
    DnsService dns) {

  /** A router context without DNS (hijack-dns then is a configuration error). */
  public RouterContext(
      OutboundManager outbounds,
      Set<String> inboundTags,
      Resolver resolver,
      TrafficStats stats,
      ConnectionTracker tracker,
      Path workingDirectory) {
    this(outbounds, inboundTags, resolver, stats, tracker, workingDirectory, null);
  }
}
