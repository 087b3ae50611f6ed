package dev.umbra.core.route;

import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.adapter.TlsConnector;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.route.rule.Rule;
import dev.umbra.core.route.rule.RuleSet;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code remote} rule-set: restored from the on-disk cache when the config loads, downloaded at
 * start when there is no usable copy, then refreshed every {@code update_interval} by a virtual
 * thread. A failed download keeps the rules it had (cached or empty) and never stops start-up.
 */
public final class RemoteRuleSet implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteRuleSet.class);

  /** How long one download may stall on a read. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  /** Retry delay after a failed download, when shorter than the update interval. */
  static final Duration RETRY = Duration.ofMinutes(1);

  private final RuleSet set;
  private final URI url;
  private final String format;
  private final String detour;
  private final Duration interval;
  private final OutboundManager outbounds;
  private final RuleSetCache cache;
  private final Optional<TlsConnector> tls;
  private final Object lock = new Object();
  private String etag;
  private Instant lastUpdated;
  private boolean loaded;
  private Thread updater;
  private volatile boolean closed;

  RemoteRuleSet(
      RuleSet set,
      URI url,
      String format,
      String detour,
      Duration interval,
      OutboundManager outbounds,
      RuleSetCache cache,
      Optional<TlsConnector> tls) {
    this.set = set;
    this.url = url;
    this.format = format;
    this.detour = detour;
    this.interval = interval;
    this.outbounds = outbounds;
    this.cache = cache;
    this.tls = tls;
  }

  RuleSet ruleSet() {
    return set;
  }

  /** Loads the cached copy, if one exists for the same URL and parses. No network. */
  void restore() {
    RuleSetCache.Entry e;
    try {
      e = cache.load();
    } catch (IOException ex) {
      LOG.warn("rule-set {}: cannot read its cache: {}", set.tag(), ex.toString());
      return;
    }
    if (e == null || !url.toString().equals(e.url())) {
      return;
    }
    try {
      set.replace(RuleSetContent.parse(e.content(), format, cache.contentPath().toString()));
    } catch (ConfigException ex) {
      LOG.warn("rule-set {}: ignoring its cached copy: {}", set.tag(), ex.getMessage());
      return;
    }
    etag = e.etag();
    lastUpdated = e.lastUpdated();
    loaded = true;
    LOG.debug("rule-set {}: restored from {}", set.tag(), cache.contentPath());
  }

  /** Downloads now if there is no usable copy, then starts the periodic updater. */
  public void start() {
    if (!loaded) {
      updateOnce();
    }
    updater = Thread.ofVirtual().name("rule-set-" + set.tag()).unstarted(this::loop);
    updater.start();
  }

  private void loop() {
    while (!closed) {
      Duration wait;
      synchronized (lock) {
        if (lastUpdated == null) {
          wait = interval.compareTo(RETRY) < 0 ? interval : RETRY;
        } else {
          Duration since = Duration.between(lastUpdated, Instant.now());
          wait = since.compareTo(interval) >= 0 ? Duration.ZERO : interval.minus(since);
        }
      }
      try {
        Thread.sleep(Math.max(1, wait.toMillis()));
      } catch (InterruptedException e) {
        return;
      }
      if (closed) {
        return;
      }
      if (!updateOnce()) {
        // Try again after the retry delay rather than a whole interval.
        try {
          Thread.sleep(Math.max(1, (interval.compareTo(RETRY) < 0 ? interval : RETRY).toMillis()));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** One download; true if the rule-set is now current. */
  boolean updateOnce() {
    Outbound out;
    if (detour != null) {
      Optional<Outbound> o = outbounds.get(detour);
      if (o.isEmpty()) {
        LOG.warn("rule-set {}: download detour '{}' is gone", set.tag(), detour);
        return false;
      }
      out = o.get();
    } else {
      out = outbounds.defaultOutbound();
    }
    try {
      String tag;
      synchronized (lock) {
        tag = loaded ? etag : null;
      }
      RuleSetDownload.Result r = RuleSetDownload.get(url, tag, out, tls, READ_TIMEOUT);
      Instant now = Instant.now();
      if (r.notModified()) {
        synchronized (lock) {
          lastUpdated = now;
        }
        cache.save(new RuleSetCache.Entry(null, url.toString(), etag, now));
        LOG.info("rule-set {}: not modified", set.tag());
        return true;
      }
      List<Rule> rules = RuleSetContent.parse(r.content(), format, url.toString());
      set.replace(rules);
      synchronized (lock) {
        etag = r.etag();
        lastUpdated = now;
        loaded = true;
      }
      try {
        cache.save(new RuleSetCache.Entry(r.content(), url.toString(), r.etag(), now));
      } catch (IOException e) {
        LOG.warn("rule-set {}: cannot write its cache: {}", set.tag(), e.toString());
      }
      LOG.info("rule-set {}: updated from {} ({} rules)", set.tag(), url, rules.size());
      return true;
    } catch (IOException | ConfigException e) {
      LOG.warn(
          "rule-set {}: download from {} via {} failed, keeping {}: {}",
          set.tag(),
          url,
          out.tag(),
          loaded ? "the previous rules" : "an empty set",
          e.getMessage());
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    Thread t = updater;
    if (t != null) {
      t.interrupt();
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
