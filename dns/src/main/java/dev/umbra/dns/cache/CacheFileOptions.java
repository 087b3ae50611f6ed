package dev.umbra.dns.cache;

import dev.umbra.core.config.Unsupported;
import java.time.Duration;

/** sing-box's {@code experimental.cache_file}. */
public record CacheFileOptions(
    Boolean enabled,
    String path,
    String cacheId,
    Boolean storeFakeip,
    Boolean storeRdrc,
    Duration rdrcTimeout,
    @Unsupported("persisting the DNS answer cache (store_dns) is not implemented")
        Boolean storeDns) {

  /** sing-box's defaults: {@code cache.db} beside the working directory, RDRC for 7 days. */
  public static final String DEFAULT_PATH = "cache.db";

  public static final Duration DEFAULT_RDRC_TIMEOUT = Duration.ofDays(7);
}
