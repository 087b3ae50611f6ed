package dev.umbra.core.instance;

import dev.umbra.core.adapter.Inbound;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.config.Config;
import dev.umbra.core.dial.SystemResolver;
import dev.umbra.core.registry.Registry;
import dev.umbra.core.relay.DefaultConnectionTracker;
import dev.umbra.core.relay.DefaultTrafficStats;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Umbra: the library entry point. Built from a {@link Config}; reloadable in place; shuts
 * down by closing listeners first and draining connections.
 */
public final class Umbra implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Umbra.class);

  /** How long {@link #close()} lets live connections finish. */
  public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);

  private final Registry registry;
  private final Resolver resolver = SystemResolver.INSTANCE;
  private final DefaultTrafficStats stats = new DefaultTrafficStats();
  private final DefaultConnectionTracker tracker = new DefaultConnectionTracker();
  private final Path workingDirectory;
  private Generation current;
  private boolean closed;

  private Umbra(Registry registry, Path workingDirectory) {
    this.registry = registry;
    this.workingDirectory = workingDirectory;
  }

  /** Builds and starts everything in {@code config}; relative paths resolve in the current dir. */
  public static Umbra start(Config config, Registry registry) throws IOException {
    return start(config, registry, Path.of("").toAbsolutePath());
  }

  public static Umbra start(Config config, Registry registry, Path workingDirectory)
      throws IOException {
    Umbra u = new Umbra(registry, workingDirectory);
    Generation g =
        Generation.build(config, registry, u.resolver, u.stats, u.tracker, workingDirectory);
    try {
      g.start();
    } catch (IOException | RuntimeException e) {
      g.close();
      throw e;
    }
    u.current = g;
    return u;
  }

  /**
   * Builds every component without opening a socket, so that all load-time errors (references,
   * factories' own checks) surface; then discards them.
   */
  public static void check(Config config, Registry registry, Path workingDirectory)
      throws IOException {
    Generation g =
        Generation.build(
            config,
            registry,
            SystemResolver.INSTANCE,
            new DefaultTrafficStats(),
            new DefaultConnectionTracker(),
            workingDirectory);
    g.close();
  }

  /**
   * Replaces the running configuration. The new one is built first: if that fails, the old one
   * keeps running and the error is thrown. Then the old listeners close and the new start;
   * established connections keep flowing unless their inbound or outbound tag is gone.
   */
  public synchronized void reload(Config config) throws IOException {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    Generation next =
        Generation.build(config, registry, resolver, stats, tracker, workingDirectory);
    Generation old = current;
    old.closeInbounds();
    try {
      next.start();
    } catch (IOException | RuntimeException e) {
      next.close();
      LOG.warn("new configuration failed to start ({}); restoring the previous one", e.toString());
      Generation restored =
          Generation.build(old.config, registry, resolver, stats, tracker, workingDirectory);
      restored.start();
      current = restored;
      old.close();
      throw e;
    }
    current = next;
    Set<String> inbounds = next.inboundTags();
    Set<String> outbounds = next.outboundTags();
    int killed =
        tracker.killWhere(e ->
            !inbounds.contains(e.metadata().inbound()) || !outbounds.contains(e.outboundTag()));
    old.close();
    LOG.info("configuration reloaded; {} connections kept, {} closed", tracker.liveCount(), killed);
  }

  /** Closes listeners, waits up to {@code drain} for connections to finish, then closes all. */
  public synchronized void shutdown(Duration drain) {
    if (closed) {
      return;
    }
    closed = true;
    current.closeInbounds();
    try {
      if (!tracker.awaitEmpty(drain)) {
        LOG.info("closing {} connections still open after {}", tracker.liveCount(), drain);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tracker.killWhere(e -> true);
    current.close();
  }

  @Override
  public void close() {
    shutdown(DEFAULT_DRAIN);
  }

  public DefaultTrafficStats stats() {
    return stats;
  }

  public DefaultConnectionTracker connections() {
    return tracker;
  }

  public synchronized Optional<Outbound> outbound(String tag) {
    return current.outbounds.get(tag);
  }

  public synchronized List<Inbound> inbounds() {
    return List.copyOf(current.inbounds);
  }

  public synchronized Config config() {
    return current.config;
  }
}
